// The face of @dbatch/preload for the TypeScript packages: where the
// library and its headers are, what a program that uses <dbatch.h> compiles
// with, and the one rebuild-if-stale of the library.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** packages/preload */
export const preloadDir = dirname(fileURLToPath(import.meta.url));
/** The LD_PRELOAD library, built by `make -C packages/preload`. */
export const preloadLibraryPath = join(preloadDir, "build", "libdbatch-preload.so");
/** <dbatch.h> and the seed's <linux/batch.h>. */
export const preloadIncludeDir = join(preloadDir, "include");
/** The kernel UAPI headers the preload's headers include (<linux/dbatch.h>). */
export const uapiIncludeDir = join(preloadDir, "..", "kmod", "include", "uapi");
/** What a C program that uses <dbatch.h> (or the UAPI) compiles with. */
export const preloadCFlags: readonly string[] = ["-I", preloadIncludeDir, "-I", uapiIncludeDir];

/**
 * The environment variables that tune the library's choices (README,
 * "Environment"), besides DBATCH_BACKEND and the stats: a program run
 * elsewhere (in the VM) gets the caller's values of these.
 */
export const preloadTuningVariables: readonly string[] = [
  "DBATCH_ADAPT",
  "DBATCH_KMOD_ALWAYS",
  "DBATCH_URING_ALWAYS",
  "DBATCH_URING_COALESCE",
  "DBATCH_URING_PATHOPS",
  "DBATCH_URING_SLOTS",
];

/** Thrown when the library cannot be built; the message says what to run. */
export class PreloadBuildError extends Error {
  override name = "PreloadBuildError";
}

/** `make -q`: 0 up to date, 1 needs rebuilding, anything else: cannot tell. */
function upToDate(): boolean {
  const q = spawnSync("make", ["-q", "-s", "-C", preloadDir], { stdio: "ignore" });
  return q.status !== 1;
}

/**
 * The preload library, built first when it is missing or older than its
 * sources (`notice` is told which, in one line); make's output goes to our
 * stderr, never stdout. Returns the library's path.
 */
export function ensurePreloadBuilt(notice: (line: string) => void = () => undefined): string {
  if (existsSync(preloadLibraryPath)) {
    if (upToDate()) return preloadLibraryPath;
    notice("rebuilding the preload library (its sources changed)");
  } else {
    notice("building the preload library (make -s -C packages/preload)");
  }
  const made = spawnSync("make", ["-s", "-C", preloadDir], { stdio: ["ignore", 2, 2] });
  if (made.error || made.status !== 0 || !existsSync(preloadLibraryPath)) {
    const why = made.error ? made.error.message : `make exited with ${made.status ?? made.signal}`;
    throw new PreloadBuildError(
      `cannot build the preload library (${why}); try: make -C ${preloadDir}`,
    );
  }
  return preloadLibraryPath;
}
