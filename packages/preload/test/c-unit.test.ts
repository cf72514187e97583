// C unit tests (test/c/*.c, one program per feature): each runs in a fresh
// directory under LD_PRELOAD with the emulate and the uring backend and
// must print "ok" and exit 0.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  build,
  cleanEnv,
  compile,
  includeDir,
  libPath,
  pkgDir,
  runIn,
  tempDir,
} from "./helpers.ts";

const names = readdirSync(join(pkgDir, "test", "c"))
  .filter((f) => f.endsWith(".c"))
  .map((f) => f.slice(0, -2))
  .sort();

let ready = false;
function ensureBuilt() {
  if (ready) return;
  build();
  build("tests");
  ready = true;
}

for (const name of names) {
  for (const backend of ["emulate", "uring"]) {
    test(`${name} [${backend}]`, () => {
      ensureBuilt();
      const r = runIn(join(pkgDir, "build", "test", name), {
        env: cleanEnv({ LD_PRELOAD: libPath, DBATCH_BACKEND: backend }),
        timeout: 60000,
      });
      const why = `${name} [${backend}]: exit ${r.code} ${r.signal ?? ""}\n${r.stderr.toString()}`;
      assert.is(r.code, 0, why);
      assert.is(r.stdout.toString(), "ok\n", why);
    });
  }
}

test("headers work without the library: no -l flag, calls run directly", () => {
  const dir = tempDir("hdr");
  const bin = join(dir, "prog");
  compile(
    `#include <dbatch.h>
#include <stdio.h>
#include <unistd.h>
int main(void) {
  struct dbatch_error e; struct dbatch_stats s;
  if (batch_start() != 0) return 1;
  write(1, "direct\\n", 7);
  if (batch_flush() != 0) return 2;
  if (batch_last_error(&e) != -1 || e.error != 0 || e.index != -1) return 3;
  if (batch_stats(&s) != -1 || s.recorded != 0) return 4;
  printf("backend=%s\\n", s.backend);
  return 0;
}
`,
    bin,
    ["-Wall", "-Wextra", "-Werror", "-I", includeDir],
  );
  const r = runIn(bin);
  assert.is(r.code, 0);
  assert.is(r.stdout.toString(), "direct\nbackend=none\n");
});

test("DBATCH_BACKEND=auto picks uring on this host (no /dev/batch), kmod stub reports fallback", () => {
  ensureBuilt();
  const bin = join(pkgDir, "build", "test", "batch_buffer");
  const dir = tempDir("auto");
  const statsFile = join(dir, "stats");
  let r = runIn(bin, { env: cleanEnv({ LD_PRELOAD: libPath, DBATCH_STATS_FILE: statsFile }) });
  assert.is(r.code, 0);
  r = runIn(bin, {
    env: cleanEnv({ LD_PRELOAD: libPath, DBATCH_BACKEND: "kmod", DBATCH_STATS: "1" }),
  });
  assert.is(r.code, 0);
  const line = r.stderr.toString().trim();
  assert.match(
    line,
    /^dbatch: backend=emulate recorded=\d+ flushes=\d+ kernel_entries=\d+ requested=kmod fallback=\w+$/,
  );
  const auto = readFileSync(statsFile, "utf8");
  assert.match(auto, /^dbatch: backend=(uring|emulate) /);
});

test("uring runs path ops and fsync as syscalls between rounds (split_reason=path-op)", () => {
  ensureBuilt();
  const bin = join(pkgDir, "build", "test", "path_ops");
  const dir = tempDir("pathops");
  const run = (env: Record<string, string>, file: string) => {
    const statsFile = join(dir, file);
    const r = runIn(bin, {
      env: cleanEnv({
        LD_PRELOAD: libPath,
        DBATCH_BACKEND: "uring",
        DBATCH_STATS_FILE: statsFile,
        // the ring's own path-op split, even where a batch would not gain
        DBATCH_URING_ALWAYS: "1",
        ...env,
      }),
    });
    const why = `${file}: exit ${r.code}\n${r.stderr.toString()}`;
    assert.is(r.code, 0, why);
    assert.is(r.stdout.toString(), "ok\n", why);
    return { r, line: readFileSync(statsFile, "utf8").trim() };
  };
  const direct = run({}, "direct");
  assert.match(
    direct.line,
    /^dbatch: backend=uring .* splits=[1-9]\d* split_reason=path-op:[1-9]\d*(,[a-z-]+:\d+)*$/,
  );
  // the old path (path ops in the ring, io-wq) gives the same files and results
  const ring = run({ DBATCH_URING_PATHOPS: "0" }, "ring");
  assert.match(ring.line, /^dbatch: backend=uring /);
  assert.not.match(ring.line, /path-op/);
  assert.equal([...ring.r.files.keys()], [...direct.r.files.keys()]);
  for (const [k, v] of direct.r.files) assert.ok(ring.r.files.get(k) === v, `${k} differs`);
});

test.run();
