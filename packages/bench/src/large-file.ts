// A large input through the CLI: the peak memory of `dbatch-transform` on one
// generated, syscall-dense C file, against the file's size. Each mode runs in
// a process of its own; the process reports its own peak (VmHWM) at exit
// through a module preloaded with NODE_OPTIONS, so what is measured is the
// binary a user runs, launcher and bundle included.

import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface LargeFileRun {
  mode: "--check" | "--write";
  seconds: number;
  peakMb: number;
  /** peakMb / the file's size in MB. */
  ratio: number;
}

export interface LargeFileReport {
  mb: number;
  runs: LargeFileRun[];
}

// Prints the process's peak resident set at exit, on stderr's last line.
const peakHook = `import { readFileSync } from "node:fs";
process.on("exit", () => {
  const kb = /^VmHWM:\\s+(\\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
  process.stderr.write("\\ndbatch-bench-peak-kb " + (kb ? kb[1] : "0") + "\\n");
});
`;

/** Functions of open/write/read/close/unlink, each batchable, until @mb MB. */
export function largeCFile(mb: number): string {
  const parts = ["#include <fcntl.h>\n#include <unistd.h>\n\n"];
  let size = parts[0]?.length ?? 0;
  for (let i = 0; size < mb * 1e6; i++) {
    const f =
      `static int copy_${i}(int out, char *buf, int n)\n{\n` +
      `\tint fd = open("f-${i}.txt", O_WRONLY | O_CREAT, 0644);\n` +
      `\twrite(fd, buf, (size_t)n);\n\twrite(out, "line\\n", 5);\n\tclose(fd);\n` +
      `\tread(out, buf, (size_t)n);\n\tn += buf[0];\n` +
      `\twrite(out, buf, (size_t)n);\n\tunlink("old-${i}.txt");\n\treturn n;\n}\n\n`;
    parts.push(f);
    size += f.length;
  }
  return parts.join("");
}

/** Runs `@transform --check` and `--write` on a generated @mb MB file. */
export function measureLargeFile(transform: string, mb: number): LargeFileReport {
  const dir = mkdtempSync(join(tmpdir(), "dbatch-bench-large-"));
  try {
    const file = join(dir, "large.c");
    const pristine = join(dir, "pristine.c");
    writeFileSync(pristine, largeCFile(mb));
    const bytes = readFileSync(pristine).length;
    const hook = join(dir, "peak.mjs");
    writeFileSync(hook, peakHook);
    const runs = (["--check", "--write"] as const).map((mode): LargeFileRun => {
      copyFileSync(pristine, file);
      const start = process.hrtime.bigint();
      const r = spawnSync(transform, [mode, file], {
        encoding: "utf8",
        maxBuffer: 64 << 20,
        env: { ...process.env, NODE_OPTIONS: `--import=${hook}` },
      });
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      // --check exits 1: the file would change (that it would is the point).
      const expected = mode === "--check" ? 1 : 0;
      if (r.error || r.status !== expected) {
        throw new Error(
          `dbatch-transform ${mode} on a ${mb} MB file: exit ${r.status}: ${(r.error?.message ?? r.stderr).trim().split("\n").slice(-2).join(" | ")}`,
        );
      }
      // A run that batched nothing would measure nothing worth knowing.
      if (mode === "--write" && !readFileSync(file, "utf8").includes("batch_start();")) {
        throw new Error("dbatch-transform --write left the large file without a batch");
      }
      // Every node process of the run reports (dbatch-transform starts itself
      // again for a large file, see lean-heap.ts): the largest counts.
      const peakKb = Math.max(
        0,
        ...[...r.stderr.matchAll(/^dbatch-bench-peak-kb (\d+)$/gm)].map((m) => Number(m[1])),
      );
      if (peakKb === 0) throw new Error(`dbatch-transform ${mode}: no peak memory reported`);
      const peakMb = peakKb / 1024;
      return { mode, seconds, peakMb, ratio: peakMb / (bytes / 1048576) };
    });
    return { mb: bytes / 1048576, runs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
