import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** packages/cli */
export const cliDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The repository root (the binaries run from the checkout, through tsx). */
export const repoRoot = resolve(cliDir, "..", "..");
export const preloadDir = join(repoRoot, "packages", "preload");
export const preloadInclude = join(preloadDir, "include");
export const preloadLib = join(preloadDir, "build", "libdbatch-preload.so");
export const kmodDir = join(repoRoot, "packages", "kmod");
export const kmodObject = join(kmodDir, "batch.ko");
export const vmRigModule = join(kmodDir, "vm", "rig.ts");
export const vmCliModule = join(kmodDir, "vm", "dbatch-vm.ts");
export const transformBin = join(cliDir, "bin", "dbatch-transform.mjs");
export const dbatchBin = join(cliDir, "bin", "dbatch.mjs");

export function hasVmRig(): boolean {
  return existsSync(vmRigModule);
}
