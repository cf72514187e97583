import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** packages/cli */
export const cliDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The repository root (the binaries run from the checkout: see bin/launch.mjs). */
export const repoRoot = resolve(cliDir, "..", "..");
export const transformBin = join(cliDir, "bin", "dbatch-transform.mjs");
export const dbatchBin = join(cliDir, "bin", "dbatch.mjs");
