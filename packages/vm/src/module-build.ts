// Out-of-tree modules built for a VM kernel, in a cache copy per source
// content and kernel version (two kernels never share objects).

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from "node:fs";
import { basename, join } from "node:path";
import { VmError } from "./errors.ts";
import { listFiles } from "./initramfs.ts";
import { kernelBuildDir, resolveKernel } from "./kernels.ts";
import { cacheDir } from "./paths.ts";

/** `make args`, under an exclusive lock (flock) when available: rig users may build at once. */
function lockedMake(args: string[]): [string, string[]] {
  mkdirSync(cacheDir, { recursive: true });
  const hasFlock = (process.env.PATH ?? "/usr/bin")
    .split(":")
    .some((d) => existsSync(join(d, "flock")));
  return hasFlock ? ["flock", [join(cacheDir, "make.lock"), "make", ...args]] : ["make", args];
}

/**
 * Builds an out-of-tree module from a source directory (with a Kbuild file)
 * for the VM's kernel, in a cache copy keyed on the sources; returns the .ko
 * path. Used for vm/testdata/hello.
 */
export function buildExternalModule(
  srcDir: string,
  kernelVersion = resolveKernel().version,
): string {
  const files = listFiles(srcDir).filter((f) => /\.(c|h)$|^Kbuild$|^Makefile$/.test(f));
  return buildModuleCopy(srcDir, files, kernelVersion);
}

/** Builds @files of @srcDir (relative paths, a Kbuild among them) in a cache copy keyed on their content. */
export function buildModuleCopy(
  srcDir: string,
  files: readonly string[],
  kernelVersion: string,
): string {
  const stamp = files.map((f) => `${f}:${readFileSync(join(srcDir, f), "utf8")}`).join("\n");
  const hash = createHash("sha256").update(`${kernelVersion}\n${stamp}`).digest("hex").slice(0, 16);
  const dir = join(cacheDir, "modules", `${basename(srcDir)}-${hash}`);
  const kos = (): string[] =>
    existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith(".ko")) : [];
  if (kos().length === 0) {
    // Build in a private directory and rename it into place: a concurrent
    // rig user never sees a half-written .ko.
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    mkdirSync(tmp, { recursive: true });
    for (const f of files) cpSync(join(srcDir, f), join(tmp, f), { recursive: true });
    try {
      execFileSync(...lockedMake(["-C", kernelBuildDir(kernelVersion), `M=${tmp}`, "modules"]), {
        stdio: ["ignore", "pipe", "pipe"],
        encoding: "utf8",
      });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      rmSync(tmp, { recursive: true, force: true });
      throw new VmError(
        `dbatch-vm: building ${srcDir} failed:\n${err.stdout ?? ""}${err.stderr ?? ""}`,
      );
    }
    // A cache folder without a .ko (left by an interrupted run or a stray
    // clean) would make the rename fail forever: clear it first.
    if (existsSync(dir) && kos().length === 0) rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(tmp, dir);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another process got there first
    }
  }
  const ko = kos()[0];
  if (!ko) throw new VmError(`dbatch-vm: building ${srcDir} produced no .ko`);
  return join(dir, ko);
}
