// Where things are in the repository.

import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
export const benchCDir = join(repoRoot, "packages/cli/bench-c");
export const benchSource = join(benchCDir, "dbatch-bench.c");
export const benchBuildDir = join(benchCDir, "build");
export const preloadDir = join(repoRoot, "packages/preload");
export const preloadInclude = join(preloadDir, "include");
export const preloadLibrary = join(preloadDir, "build/libdbatch-preload.so");
export const kmodDir = join(repoRoot, "packages/kmod");
export const vmRigModule = join(kmodDir, "vm/rig.ts");
export const icountModule = join(kmodDir, "vm/icount.ts");
