// The kernels the rig can boot: Debian's in /boot, and the ones
// scripts/kernels.sh fetched into the kernel cache; their kbuild trees and
// modules, and a bootable (PVH) image of each.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { basename, join, resolve } from "node:path";
import { VmError } from "./errors.ts";
import { cacheDir } from "./paths.ts";

function versionKey(v: string): number[] {
  return v.split(/[.-]/).map((s) => (/^\d+$/.test(s) ? Number(s) : 0));
}

function compareVersionsDesc(a: string, b: string): number {
  const ka = versionKey(a);
  const kb = versionKey(b);
  for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
    const d = (kb[i] ?? 0) - (ka[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** A kernel the rig can boot, with the kbuild tree modules are built against. */
export interface VmKernel {
  image: string;
  /** "6.1.0-57-amd64", "6.12.95+deb12-rt-amd64" */
  version: string;
  buildDir: string;
}

/**
 * Kernels fetched by scripts/kernels.sh (not installed on the host): one
 * folder per version with vmlinuz and build/. Outside the repository, so a
 * fresh clone reuses it.
 */
export const kernelCacheDir =
  process.env.DBATCH_KERNEL_CACHE ??
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "dbatch", "kernels");

/** The kernel line booted when none is named: bookworm's own. */
export const DEFAULT_KERNEL_LINE = "6.1";

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Every kernel the rig can boot: /boot with headers, then the kernel cache. */
export function installedKernels(): VmKernel[] {
  const found: VmKernel[] = [];
  for (const name of listDir("/boot")) {
    if (!name.startsWith("vmlinuz-")) continue;
    const version = name.slice(8);
    const buildDir = `/lib/modules/${version}/build`;
    if (existsSync(buildDir)) found.push({ image: join("/boot", name), version, buildDir });
  }
  for (const version of listDir(kernelCacheDir)) {
    const dir = join(kernelCacheDir, version);
    if (existsSync(join(dir, "vmlinuz")) && existsSync(join(dir, "build", "Makefile")))
      found.push({ image: join(dir, "vmlinuz"), version, buildDir: join(dir, "build") });
  }
  return found.sort((a, b) => compareVersionsDesc(a.version, b.version));
}

/** The flavour of a Debian kernel version: "rt", "cloud", or "" for the generic one. */
function flavourOf(version: string): string {
  return version.match(/-(rt|cloud)-amd64$/)?.[1] ?? "";
}

/**
 * The kernel for a spec: an image path, a full version ("6.12.95+deb12-amd64"),
 * or a line with an optional flavour ("6.12", "6.12-rt": the newest such).
 * No spec: $DBATCH_VM_KERNEL, else the newest of DEFAULT_KERNEL_LINE.
 */
export function resolveKernel(spec?: string): VmKernel {
  const want = spec ?? process.env.DBATCH_VM_KERNEL ?? DEFAULT_KERNEL_LINE;
  if (want.includes("/")) {
    if (!existsSync(want)) throw new VmError(`dbatch-vm: kernel image not found: ${want}`);
    const version = kernelVersionOf(want);
    return { image: want, version, buildDir: kernelBuildDir(version) };
  }
  const kernels = installedKernels();
  const exact = kernels.find((k) => k.version === want);
  if (exact) return exact;
  const m = want.match(/^(\d+\.\d+)(?:-(rt|cloud))?$/);
  const pick = m
    ? kernels.find((k) => k.version.startsWith(`${m[1]}.`) && flavourOf(k.version) === (m[2] ?? ""))
    : undefined;
  if (pick) return pick;
  const have = kernels.map((k) => k.version).join(", ") || "none";
  const hint =
    m && m[1] !== DEFAULT_KERNEL_LINE
      ? `bash scripts/kernels.sh ${want}`
      : "apt-get install linux-image-amd64 linux-headers-amd64";
  throw new VmError(`dbatch-vm: no kernel ${want} (installed: ${have}); get it with: ${hint}`);
}

/** The image of the kernel the rig boots by default (see resolveKernel). */
export function defaultKernel(): string {
  return resolveKernel().image;
}

/** "6.1.0-56-amd64" for /boot/vmlinuz-6.1.0-56-amd64 (or $DBATCH_VM_KERNEL_VERSION). */
export function kernelVersionOf(kernel: string): string {
  const env = process.env.DBATCH_VM_KERNEL_VERSION;
  if (env) return env;
  const name = basename(kernel);
  if (name.startsWith("vmlinuz-")) return name.slice(8);
  throw new VmError(
    `dbatch-vm: cannot tell the kernel version of ${kernel}; set DBATCH_VM_KERNEL_VERSION`,
  );
}

const PVH_NOTES = [4, 8].map((descsz) => {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(4, 0);
  b.writeUInt32LE(descsz, 4);
  b.writeUInt32LE(0x12, 8); // XEN_ELFNOTE_PHYS32_ENTRY
  b.write("Xen\0", 12, "latin1");
  return b;
});

/**
 * A bzImage spends seconds under TCG decompressing itself (Debian's is xz).
 * With CONFIG_PVH the ELF inside has a PVH entry that qemu boots directly:
 * this returns that vmlinux, extracted once into the cache, or the image
 * itself when it cannot be extracted (or $DBATCH_VM_PVH=0).
 */
export function bootableKernel(kernel: string): string {
  if (process.env.DBATCH_VM_PVH === "0") return kernel;
  const st = statSync(kernel);
  const key = createHash("sha256")
    .update(`${resolve(kernel)}:${st.size}:${st.mtimeMs}`)
    .digest("hex")
    .slice(0, 16);
  const out = join(cacheDir, `vmlinux-${basename(kernel)}-${key}`);
  if (existsSync(out)) return out;
  const image = readFileSync(kernel);
  if (image.subarray(0, 4).toString("latin1") === "\x7fELF") return kernel;
  const decoders: { magic: Buffer; cmd: string; args: string[] }[] = [
    {
      magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]),
      cmd: "xz",
      args: ["-dc", "--single-stream"],
    },
    { magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), cmd: "zstd", args: ["-dc"] },
    { magic: Buffer.from([0x1f, 0x8b, 0x08]), cmd: "gzip", args: ["-dc"] },
  ];
  for (const d of decoders) {
    const at = image.indexOf(d.magic);
    if (at < 0) continue;
    let elf: Buffer;
    try {
      elf = execFileSync(d.cmd, d.args, {
        input: image.subarray(at),
        maxBuffer: 512 * 1024 * 1024,
        stdio: ["pipe", "pipe", "ignore"],
      });
    } catch (e) {
      // gzip exits 2 on trailing garbage but has written the stream.
      const out2 = (e as { stdout?: Buffer }).stdout;
      if (!out2 || out2.length === 0) continue;
      elf = out2;
    }
    if (elf.subarray(0, 4).toString("latin1") !== "\x7fELF") continue;
    if (!PVH_NOTES.some((n) => elf.indexOf(n) >= 0)) return kernel;
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    writeFileSync(tmp, elf);
    renameSync(tmp, out);
    return out;
  }
  return kernel;
}

/** The kbuild tree for a kernel version: the kernel cache's, else /lib/modules/<ver>/build. */
export function kernelBuildDir(kernelVersion: string): string {
  const cached = join(kernelCacheDir, kernelVersion, "build");
  if (existsSync(join(cached, "Makefile"))) return cached;
  const dir = `/lib/modules/${kernelVersion}/build`;
  if (!existsSync(dir)) {
    throw new VmError(
      `dbatch-vm: no headers for ${kernelVersion} in ${dir} (apt-get install linux-headers-amd64)`,
    );
  }
  return dir;
}

/** The kernel's own modules: the kernel cache's, else /lib/modules/<ver>. */
function kernelModulesDir(kernelVersion: string): string {
  const cached = join(kernelCacheDir, kernelVersion, "modules");
  return existsSync(cached) ? cached : `/lib/modules/${kernelVersion}`;
}

/**
 * The kernel modules (paths, in load order: dependencies first) that
 * @names need, from the kernel's modules.dep; a name built into the kernel
 * is not there and needs nothing.
 */
export function moduleClosure(kernelVersion: string, names: readonly string[]): string[] {
  const dir = kernelModulesDir(kernelVersion);
  const depFile = join(dir, "modules.dep");
  if (!existsSync(depFile))
    throw new VmError(
      `dbatch-vm: no ${depFile} (for a cached kernel: bash scripts/kernels.sh again)`,
    );
  const deps = new Map<string, string[]>();
  for (const line of readFileSync(depFile, "utf8").split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    deps.set(
      line.slice(0, colon),
      line
        .slice(colon + 1)
        .trim()
        .split(/\s+/)
        .filter(Boolean),
    );
  }
  const byName = (name: string): string | undefined =>
    [...deps.keys()].find((k) => basename(k).replace(/\.ko(\.xz|\.zst|\.gz)?$/, "") === name);
  const order: string[] = [];
  const visit = (rel: string): void => {
    if (order.includes(rel)) return;
    for (const d of [...(deps.get(rel) ?? [])].reverse()) visit(d);
    order.push(rel);
  };
  for (const name of names) {
    const rel = byName(name);
    if (rel) visit(rel);
  }
  return order.map((rel) => join(dir, rel));
}

/** A module file as insmod takes it: busybox's insmod does not decompress. */
export function moduleBytes(path: string): Buffer {
  if (path.endsWith(".ko.xz")) return execFileSync("xz", ["-dc", path], { maxBuffer: 64 << 20 });
  if (path.endsWith(".ko.zst")) return execFileSync("zstd", ["-dc", path], { maxBuffer: 64 << 20 });
  return readFileSync(path);
}
