import { spawnSync } from "node:child_process";
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
} from "node:fs";
import { release } from "node:os";
import { gunzipSync } from "node:zlib";
import { errnoCode } from "../errors.ts";

/** Facts about the running kernel that decide whether batch.ko can be used here. */
export interface HostKernel {
  release: string;
  /** /proc/modules exists: the kernel can load modules. */
  modules: boolean;
  /** CONFIG_MODULES from /proc/config.gz or /boot/config-<release>, when either is readable. */
  configModules: boolean | null;
  batchLoaded: boolean;
  devBatch: "ok" | "missing" | string;
  headers: string | null;
}

function kernelConfig(rel: string): string | null {
  try {
    return gunzipSync(readFileSync("/proc/config.gz")).toString("utf8");
  } catch {
    // fall through
  }
  try {
    return readFileSync(`/boot/config-${rel}`, "utf8");
  } catch {
    return null;
  }
}

export function devBatchState(): "ok" | "missing" | string {
  if (!existsSync("/dev/batch")) return "missing";
  try {
    closeSync(openSync("/dev/batch", "r+"));
    return "ok";
  } catch (err) {
    return errnoCode(err) ?? "cannot open";
  }
}

export function hostKernel(): HostKernel {
  const rel = release();
  const modules = existsSync("/proc/modules");
  const config = kernelConfig(rel);
  let configModules: boolean | null = null;
  if (config !== null) configModules = /^CONFIG_MODULES=y$/m.test(config);
  let batchLoaded = false;
  if (modules) {
    try {
      batchLoaded = /^batch\s/m.test(readFileSync("/proc/modules", "utf8"));
    } catch {
      batchLoaded = false;
    }
  }
  const headersDir = `/lib/modules/${rel}/build`;
  return {
    release: rel,
    modules,
    configModules,
    batchLoaded,
    devBatch: devBatchState(),
    headers: existsSync(headersDir) ? headersDir : null,
  };
}

export function noModuleSupportMessage(k: HostKernel): string {
  const why = k.configModules === false ? "CONFIG_MODULES is not set" : "there is no /proc/modules";
  return (
    `the running kernel (${k.release}) has no loadable module support (${why}), so batch.ko cannot be loaded here.\n` +
    `Use the VM instead: 'dbatch vm -m -- cat /proc/modules' or 'dbatch run --vm prog.c' (qemu with Debian's kernel and batch.ko).`
  );
}

/** `modinfo -F vermagic batch.ko` -> "6.1.0-56-amd64 SMP ..." */
export function moduleVermagic(ko: string): string | null {
  if (!existsSync(ko)) return null;
  const r = spawnSync("modinfo", ["-F", "vermagic", ko], { encoding: "utf8" });
  if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  // modinfo may be missing: the string is in the .modinfo section as vermagic=...
  try {
    const m = /vermagic=([^\0]+)/.exec(readFileSync(ko).toString("latin1"));
    return m?.[1] ?? null;
  } catch {
    return null;
  }
}

export function which(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (!dir) continue;
    const p = `${dir}/${cmd}`;
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return null;
}

/** Kernel images the VM can boot: $DBATCH_VM_KERNEL or /boot/vmlinuz-*. */
export function vmKernels(): string[] {
  if (process.env.DBATCH_VM_KERNEL) return [process.env.DBATCH_VM_KERNEL];
  try {
    return readdirSync("/boot")
      .filter((n) => n.startsWith("vmlinuz-"))
      .map((n) => `/boot/${n}`);
  } catch {
    return [];
  }
}
