import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { CliError, EXIT_USAGE } from "../errors.ts";
import { preloadDir, preloadLib } from "../paths.ts";

/** `make -q`: 0 up to date, 1 needs rebuilding, anything else: cannot tell. */
function upToDate(): boolean {
  const q = spawnSync("make", ["-q", "-s", "-C", preloadDir], { stdio: "ignore" });
  return q.status !== 1;
}

/**
 * The preload library, built first (with a one-line notice) when it is
 * missing or older than its sources.
 */
export function ensurePreloadLib(): string {
  if (existsSync(preloadLib)) {
    if (upToDate()) return preloadLib;
    process.stderr.write("dbatch: rebuilding the preload library (its sources changed)\n");
  } else {
    process.stderr.write("dbatch: building the preload library (make -s -C packages/preload)\n");
  }
  // make's output goes to stderr: the program's stdout stays the program's.
  const made = spawnSync("make", ["-s", "-C", preloadDir], { stdio: ["ignore", 2, 2] });
  if (made.error || made.status !== 0 || !existsSync(preloadLib)) {
    const why = made.error ? made.error.message : `make exited with ${made.status ?? made.signal}`;
    throw new CliError(
      `dbatch: cannot build the preload library (${why}); try: make -C ${preloadDir}`,
      EXIT_USAGE,
    );
  }
  return preloadLib;
}
