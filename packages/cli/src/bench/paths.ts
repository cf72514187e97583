// Where things are in the repository.

import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
export const benchCDir = join(repoRoot, "packages/cli/bench-c");
export const benchSource = join(benchCDir, "dbatch-bench.c");
export const benchBuildDir = join(benchCDir, "build");
