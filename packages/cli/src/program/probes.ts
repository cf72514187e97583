import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { preloadIncludeDir as preloadInclude } from "@dbatch/preload";

/** io_uring_setup(2) called directly, so the answer does not depend on liburing. */
const URING_PROBE = `#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif
int main(void)
{
	unsigned char params[120]; /* struct io_uring_params */
	memset(params, 0, sizeof(params));
	long fd = syscall(__NR_io_uring_setup, 4, params);
	if (fd < 0) {
		printf("%d %s\\n", errno, strerror(errno));
		return 1;
	}
	close((int)fd);
	printf("0 ok\\n");
	return 0;
}
`;

/** Two deferred writes and a flush: what the stats line says shows which backend ran them. */
const BACKEND_PROBE = `#include <dbatch.h>
#include <fcntl.h>
#include <unistd.h>
int main(void)
{
	int fd = open("/dev/null", O_WRONLY);
	if (fd < 0)
		return 2;
	batch_start();
	write(fd, "ab", 2);
	write(fd, "cd", 2);
	int r = batch_flush();
	close(fd);
	return r == 0 ? 0 : 3;
}
`;

export interface Probes {
  dir: string;
  uring: string | null;
  backend: string | null;
  compileError: string | null;
  dispose(): void;
}

export function buildProbes(): Probes {
  const dir = mkdtempSync(join(tmpdir(), "dbatch-doctor-"));
  writeFileSync(join(dir, "uring.c"), URING_PROBE);
  writeFileSync(join(dir, "backend.c"), BACKEND_PROBE);
  const cc = process.env.CC ?? "cc";
  const build = (name: string, extra: string[]): string | null => {
    const r = spawnSync(cc, ["-O1", ...extra, "-o", join(dir, name), join(dir, `${name}.c`)], {
      encoding: "utf8",
    });
    return r.status === 0
      ? null
      : (r.error?.message ?? r.stderr.trim().split("\n")[0] ?? "cc failed");
  };
  const e1 = build("uring", []);
  const e2 = build("backend", ["-I", preloadInclude]);
  return {
    dir,
    uring: e1 === null ? join(dir, "uring") : null,
    backend: e2 === null ? join(dir, "backend") : null,
    compileError: e1 ?? e2,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** errno of io_uring_setup (0 = allowed) and its text. */
export function probeUring(probes: Probes): { errno: number; text: string } | null {
  if (!probes.uring) return null;
  const r = spawnSync(probes.uring, [], { encoding: "utf8", timeout: 5000 });
  const m = /^(\d+) (.*)$/m.exec(r.stdout ?? "");
  if (!m) return null;
  return { errno: Number(m[1]), text: m[2] ?? "" };
}

export interface BackendProbe {
  ok: boolean;
  /** The backend the stats line names, if any. */
  ran: string | null;
  stats: string | null;
  exitCode: number | null;
  stderr: string;
}

/** Run the probe under the preload library with DBATCH_BACKEND=backend. */
export function probeBackend(probes: Probes, lib: string, backend: string): BackendProbe {
  if (!probes.backend)
    return { ok: false, ran: null, stats: null, exitCode: null, stderr: "probe not built" };
  const r = spawnSync(probes.backend, [], {
    encoding: "utf8",
    timeout: 10000,
    env: { ...process.env, LD_PRELOAD: lib, DBATCH_BACKEND: backend, DBATCH_STATS: "1" },
  });
  const stats = (r.stderr ?? "").split("\n").find((l) => l.startsWith("dbatch: backend=")) ?? null;
  const ran = stats ? (/backend=(\S+)/.exec(stats)?.[1] ?? null) : null;
  return {
    ok: r.status === 0 && ran === backend,
    ran,
    stats,
    exitCode: r.status,
    stderr: (r.stderr ?? "").trim(),
  };
}
