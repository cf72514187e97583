// The face of @dbatch/kmod for the TypeScript packages: where batch.ko's
// sources and UAPI are, and batch.ko built for the kernel a VM boots.
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { buildModuleCopy } from "@dbatch/vm";
import { readdirSync, statSync } from "node:fs";

/** packages/kmod */
export const kmodDir = dirname(fileURLToPath(import.meta.url));
/** batch.ko as `make -C packages/kmod` (dkms, `dbatch kmod build`) leaves it. */
export const batchKoPath = join(kmodDir, "batch.ko");
/** <linux/dbatch.h> and the generated <linux/dbatch_catalogue.h>. */
export const kmodUapiIncludeDir = join(kmodDir, "include", "uapi");

/** Kbuild and every C source and header under src/ and include/ (relative paths). */
function moduleSources(): string[] {
  const out = ["Kbuild"];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.[ch]$/.test(name)) out.push(relative(kmodDir, p));
    }
  };
  walk(join(kmodDir, "src"));
  walk(join(kmodDir, "include"));
  return out;
}

/**
 * batch.ko built for @kernelVersion (a kernel the VM rig can boot), in the
 * rig's cache keyed on the sources and the version: rebuilt only when a
 * source changed. The ModuleBuilder the rig's loadModule option takes.
 */
export function batchModuleFor(kernelVersion: string): string {
  return buildModuleCopy(kmodDir, moduleSources(), kernelVersion);
}
