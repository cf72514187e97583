// A large input is transformed in a node started with --optimize-for-size.
// The transform's live data is small next to a large file (the text, numbers
// per call site, one piece's tree), but V8's default heap growth keeps about
// as much again in garbage between collections. With the flag V8 grows the
// heap in smaller steps: a 19 MiB syscall-dense file, `--check`, peaked at
// 198 MB without and 156 MB with it, in the same time. The flag cannot be set
// once the process runs (v8.setFlagsFromString got half the gain and was
// slower), so the command starts itself again with it, only for large input:
// a second start costs about 0.1 s, nothing next to such a file.
import { spawnSync } from "node:child_process";

export const leanHeapFlag = "--optimize-for-size";

/** Files at least this large are transformed with the flag. */
export const leanHeapFileBytes = 4 << 20;

/**
 * Runs this very command again in a node with the flag and returns its exit
 * code; null when this process has the flag already or the child could not
 * start (then the caller goes on here: slower memory, same result).
 */
export function rerunWithLeanHeap(): number | null {
  const script = process.argv[1];
  if (process.execArgv.includes(leanHeapFlag) || script === undefined) return null;
  const r = spawnSync(
    process.execPath,
    [leanHeapFlag, ...process.execArgv, script, ...process.argv.slice(2)],
    { stdio: "inherit" },
  );
  if (r.error) return null;
  // Killed by a signal: die of the same one, as the shell expects.
  if (r.signal) process.kill(process.pid, r.signal);
  return r.status ?? 1;
}
