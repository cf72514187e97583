// Where the benchmark's C program and its build live.

import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** packages/bench */
export const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const benchSource = join(benchDir, "c", "dbatch-bench.c");
export const benchBuildDir = join(benchDir, "build");
