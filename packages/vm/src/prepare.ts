// Everything a run needs before qemu starts: the kernel, the initramfs
// (base archive + this run's files, modules, commands and run.sh).

import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { preloadLibraryPath } from "@dbatch/preload";
import { VmError } from "./errors.ts";
import { baseArchive, type RunArchiveFile, listFiles, runArchive } from "./initramfs.ts";
import { bootableKernel, moduleBytes, moduleClosure, resolveKernel } from "./kernels.ts";
import { MODULE_GUEST_DIR, PRELOAD_GUEST_PATH } from "./paths.ts";
import { shellQuote } from "./shell.ts";
import type { VmCommand, VmFile, VmOptions } from "./types.ts";

function collectFiles(files: readonly VmFile[]): { archive: RunArchiveFile[]; elf: string[] } {
  const archive: RunArchiveFile[] = [];
  const elf: string[] = [];
  for (const f of files) {
    const host = resolve(f.hostPath);
    if (!existsSync(host)) throw new VmError(`dbatch-vm: file not found: ${f.hostPath}`);
    if (!f.guestPath.startsWith("/"))
      throw new VmError(`dbatch-vm: guest path must be absolute: ${f.guestPath}`);
    const st = statSync(host);
    const pairs: [string, string][] = st.isDirectory()
      ? listFiles(host).map((rel) => [join(host, rel), `${f.guestPath.replace(/\/+$/, "")}/${rel}`])
      : [[host, f.guestPath]];
    for (const [h, g] of pairs) {
      const mode = f.mode ?? statSync(h).mode & 0o7777;
      archive.push({ guestPath: g, data: readFileSync(h), mode });
      elf.push(h);
    }
  }
  return { archive, elf };
}

function commandScript(cmd: VmCommand): string {
  const user = cmd.user ?? "root";
  const lines = [
    `export HOME=${user === "user" ? "/home/user" : "/root"} USER=${user} LOGNAME=${user}`,
    `export DBATCH_PRELOAD=${PRELOAD_GUEST_PATH}`,
  ];
  for (const [k, v] of Object.entries(cmd.env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
      throw new VmError(`dbatch-vm: bad environment variable name: ${k}`);
    lines.push(`export ${k}=${shellQuote(v)}`);
  }
  lines.push(`cd ${shellQuote(cmd.cwd ?? "/tmp")} || exit 126`);
  lines.push(cmd.run);
  return lines.join("\n") + "\n";
}

export interface Prepared {
  kernel: string;
  /** What qemu loads: the extracted PVH vmlinux when possible. */
  bootImage: string;
  kernelVersion: string;
  token: string;
  modules: { label: string; guest: string; params: string }[];
  initrd: Buffer;
  stdinStream?: NodeJS.ReadableStream;
}

/** Modules the 9p share needs; built-in ones are simply not found in modules.dep. */
const SHARE_MODULES = ["virtio_pci", "9pnet_virtio", "9p"];
/** Modules the streamed stdin's virtio-serial port needs. */
const STDIN_PORT_MODULES = ["virtio_pci", "virtio_console"];

function isStream(stdin: VmCommand["stdin"]): stdin is NodeJS.ReadableStream {
  return stdin !== undefined && typeof stdin !== "string" && !Buffer.isBuffer(stdin);
}

/** Builds the initramfs for a run: base archive + this run's files, modules and run.sh. */
export function prepare(options: VmOptions, shell: "root" | "user" | null): Prepared {
  const { image: kernel, version: kernelVersion } = resolveKernel(options.kernel);
  const commands = options.commands;
  if (options.icount && (options.cpus ?? 1) > 1) {
    throw new VmError(
      "dbatch-vm: icount needs a single CPU (qemu cannot count with multi-threaded TCG)",
    );
  }
  for (const m of options.modules ?? []) {
    if (/\s/.test(basename(m.path)))
      throw new VmError(`dbatch-vm: module file names may not contain spaces: ${m.path}`);
  }
  const token = randomBytes(6).toString("hex");

  // Per-run archive contents.
  const { archive, elf } = collectFiles(options.files ?? []);
  const modules: { label: string; guest: string; params: string }[] = [];
  const addModule = (path: string, params: string | undefined): void => {
    if (!existsSync(path)) throw new VmError(`dbatch-vm: module not found: ${path}`);
    const label = basename(path).replace(/\.(xz|zst|gz)$/, "");
    const guest = `${MODULE_GUEST_DIR}/${label}`;
    if (modules.some((m) => m.guest === guest)) return;
    archive.push({ guestPath: guest, data: moduleBytes(path), mode: 0o644 });
    modules.push({ label, guest, params: params ?? "" });
  };
  let stdinStream: NodeJS.ReadableStream | undefined;
  if (options.commands.some((c) => isStream(c.stdin)))
    for (const path of moduleClosure(kernelVersion, STDIN_PORT_MODULES)) addModule(path, undefined);
  if (options.share) {
    if (!options.share.guestPath.startsWith("/") || /[\s'"\\]/.test(options.share.guestPath))
      throw new VmError(
        `dbatch-vm: share guest path must be absolute and plain: ${options.share.guestPath}`,
      );
    if (!existsSync(options.share.hostPath))
      throw new VmError(`dbatch-vm: share directory not found: ${options.share.hostPath}`);
    for (const path of moduleClosure(kernelVersion, SHARE_MODULES)) addModule(path, undefined);
  }
  if (options.loadModule) addModule(options.loadModule(kernelVersion), options.moduleParams);
  for (const m of options.modules ?? []) addModule(m.path, m.params);
  const wantPreload = options.preload ?? existsSync(preloadLibraryPath);
  if (wantPreload) {
    if (!existsSync(preloadLibraryPath)) {
      throw new VmError(`dbatch-vm: ${preloadLibraryPath} is not built (make -C packages/preload)`);
    }
    archive.push({
      guestPath: PRELOAD_GUEST_PATH,
      data: readFileSync(preloadLibraryPath),
      mode: 0o755,
    });
    elf.push(preloadLibraryPath);
  }
  const run: string[] = [`DBATCH_TOKEN=${token}`, "dbatch_ready"];
  for (const m of modules) {
    const params = m.params.trim() ? ` ${m.params.trim()}` : "";
    if (/['"`$\\;&|<>]/.test(params))
      throw new VmError(`dbatch-vm: module parameters must be plain words: ${params}`);
    run.push(`dbatch_insmod ${shellQuote(m.label)} ${shellQuote(m.guest)}${params}`);
  }
  if (options.share) run.push(`dbatch_mount_share ${shellQuote(options.share.guestPath)}`);
  commands.forEach((cmd, i) => {
    const user = cmd.user ?? "root";
    if (user !== "root" && user !== "user")
      throw new VmError(`dbatch-vm: user must be "root" or "user"`);
    archive.push({
      guestPath: `/dbatch/cmd/${i}.sh`,
      data: Buffer.from(commandScript(cmd)),
      mode: 0o644,
    });
    if (typeof cmd.stdin === "string" || Buffer.isBuffer(cmd.stdin)) {
      archive.push({
        guestPath: `/dbatch/cmd/${i}.stdin`,
        data: typeof cmd.stdin === "string" ? Buffer.from(cmd.stdin) : cmd.stdin,
        mode: 0o644,
      });
    } else if (cmd.stdin !== undefined) {
      if (stdinStream !== undefined)
        throw new VmError("dbatch-vm: only one command may take a streamed stdin");
      stdinStream = cmd.stdin;
      archive.push({
        guestPath: `/dbatch/cmd/${i}.stdin-port`,
        data: Buffer.alloc(0),
        mode: 0o644,
      });
    }
    const sep = cmd.stderr === "separate" ? 1 : 0;
    run.push(`dbatch_cmd ${i} ${user} ${Math.max(0, Math.ceil(cmd.timeoutSeconds ?? 0))} ${sep}`);
  });
  (options.collect ?? []).forEach((path, j) => {
    if (!path.startsWith("/"))
      throw new VmError(`dbatch-vm: collect paths must be absolute: ${path}`);
    run.push(`dbatch_collect ${j} ${shellQuote(path)}`);
  });
  if (shell !== null) run.push(`dbatch_shell ${shell}`);
  run.push("dbatch_done");
  archive.push({
    guestPath: "/dbatch/run.sh",
    data: Buffer.from(run.join("\n") + "\n"),
    mode: 0o644,
  });

  let base: string;
  try {
    base = baseArchive();
  } catch (e) {
    throw new VmError(`dbatch-vm: building the initramfs failed: ${(e as Error).message}`);
  }
  // An uncompressed archive after a compressed one must start 4-byte aligned: pad with zeros.
  const baseGz = readFileSync(base);
  const pad = Buffer.alloc((512 - (baseGz.length % 512)) % 512);
  const initrd = Buffer.concat([baseGz, pad, runArchive(archive, elf)]);
  return {
    kernel,
    bootImage: bootableKernel(kernel),
    kernelVersion,
    token,
    modules,
    initrd,
    ...(stdinStream === undefined ? {} : { stdinStream }),
  };
}
