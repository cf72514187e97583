// dBatch VM rig: boots Debian's own kernel in qemu (TCG) with a busybox
// initramfs, runs commands as root or as an unprivileged user (uid 1000),
// and returns each command's output and exit status, the kernel console and
// any kernel problem (Oops/BUG/WARNING/Call Trace...) found on it.
// Documented in packages/kmod/README-vm.md.

import { execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  renameSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { createConnection, type Socket } from "node:net";
import { StringDecoder } from "node:string_decoder";
import {
  baseArchive,
  cacheDir,
  listFiles,
  type RunArchiveFile,
  repoRoot,
  runArchive,
  vmDir,
} from "./initramfs.ts";

export { repoRoot, vmDir, cacheDir } from "./initramfs.ts";

/** Where the preload library is placed in the guest (when it is built on the host). */
export const PRELOAD_GUEST_PATH = "/opt/dbatch/libdbatch-preload.so";
/** Where modules are placed in the guest: /lib/modules/<file name>, e.g. /lib/modules/batch.ko. */
export const MODULE_GUEST_DIR = "/lib/modules";
/** The host paths the rig picks up by default. */
export const PRELOAD_HOST_PATH = join(
  repoRoot,
  "packages",
  "preload",
  "build",
  "libdbatch-preload.so",
);
export const KMOD_DIR = join(repoRoot, "packages", "kmod");
export const BATCH_KO_PATH = join(KMOD_DIR, "batch.ko");

export interface VmCommand {
  /** Shell text, run by busybox sh in the guest. */
  run: string;
  /** Default "root". "user" runs as uid 1000 / gid 1000, no supplementary groups. */
  user?: "root" | "user";
  /** Kill the command's process group after this many (guest) seconds; 0/undefined = no limit. */
  timeoutSeconds?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Working directory; default /tmp. */
  cwd?: string;
  /**
   * The command's stdin; default /dev/null. Bytes are put in the initramfs;
   * a stream (one command per run at most) is fed as it arrives through a
   * virtio-serial port, and its end is the command's end of file.
   */
  stdin?: string | Buffer | NodeJS.ReadableStream;
  /**
   * "merge" (default): stderr goes to `output` with stdout, in the order written.
   * "separate": stderr goes to `stderr` (its own serial port; order relative to stdout is lost).
   */
  stderr?: "merge" | "separate";
}

export interface VmFile {
  /** A host file or directory (copied recursively). */
  hostPath: string;
  /** Absolute guest path (for a directory: the directory it becomes). */
  guestPath: string;
  /** Default: the host file's permission bits. */
  mode?: number;
}

export interface VmModule {
  /** Host path of a .ko built for the VM's kernel; placed at /lib/modules/<basename>. */
  path: string;
  /** Module parameters, e.g. "warn=1". */
  params?: string;
}

export interface VmOptions {
  commands: VmCommand[];
  files?: VmFile[];
  /** insmod /lib/modules/batch.ko before the commands (built with make -C packages/kmod if missing or stale). */
  loadModule?: boolean;
  /** Parameters for batch.ko. */
  moduleParams?: string;
  /** Further modules to insmod, in order, after batch.ko. */
  modules?: VmModule[];
  /** Put the preload library at PRELOAD_GUEST_PATH; default: when packages/preload/build/libdbatch-preload.so exists. */
  preload?: boolean;
  /** -icount shift=0,sleep=off: guest clock_gettime deltas are exact instruction counts. */
  icount?: boolean;
  /** Default 512. */
  memoryMb?: number;
  /** Default 1 (TCG). */
  cpus?: number;
  /** Whole VM, from qemu start to power-off; default 300. */
  timeoutSeconds?: number;
  /** Kernel: an image path, a version, or a line ("6.12", "6.12-rt"); see resolveKernel. */
  kernel?: string;
  /** Appended to the kernel command line. */
  kernelArgs?: string;
  /** Streams command output as it arrives (index into commands). */
  onOutput?: (index: number, chunk: string) => void;
  /** Streams the stderr of commands with stderr: "separate". */
  onStderr?: (index: number, chunk: string) => void;
  /**
   * Guest files to bring back after the commands (base64 over the serial
   * line, ~50 KB/s): VmResult.files[path] is the content, or null if missing.
   */
  collect?: string[];
  /** Aborting kills qemu; the result then has the error "dbatch-vm: aborted". */
  signal?: AbortSignal;
  /** Streams the kernel console (ttyS0) as it arrives. */
  onConsole?: (chunk: string) => void;
  /**
   * A host directory mounted read-write at guestPath (9p over virtio, no
   * caching): what the commands write there lands on the host at once.
   */
  share?: { hostPath: string; guestPath: string };
}

export interface VmCommandResult {
  run: string;
  user: "root" | "user";
  /** The exit status (128+N when killed by signal N); -1 when the command never ran or never finished. */
  exitCode: number;
  /** stdout, and stderr interleaved as written unless the command asked for stderr: "separate". */
  output: string;
  /** stderr of a command with stderr: "separate"; "" otherwise. */
  stderr: string;
  timedOut: boolean;
  /** Guest seconds the command took (wall time in the guest; virtual time under icount). */
  seconds: number;
  /** The kernel problems (also in VmResult.problems) logged while this command ran. */
  problems: string[];
}

export interface VmResult {
  results: VmCommandResult[];
  /** The whole kernel console (ttyS0), boot included. */
  console: string;
  /** Kernel problem lines found on the console (see findKernelProblems). */
  problems: string[];
  /** Infrastructure failures: qemu errors, VM timeout, insmod failure, commands that did not run. */
  errors: string[];
  /** No errors, no problems, every command exited 0. */
  ok: boolean;
  /** Host seconds from starting qemu to the guest's /init being ready (before insmod). */
  bootSeconds: number;
  /** Host seconds for the whole run (including building the initramfs). */
  totalSeconds: number;
  kernel: string;
  kernelVersion: string;
  /** Module file names that were loaded successfully. */
  modulesLoaded: string[];
  /** The options.collect files: content, or null when the file was missing or not regular. */
  files: Record<string, Buffer | null>;
}

/** Thrown for setup errors (missing kernel/qemu/files) before the VM starts. */
export class VmError extends Error {
  override name = "VmError";
}

const problemPatterns: RegExp[] = [
  /\bOops\b/,
  /\bBUG:/,
  /kernel BUG at/,
  /\bWARNING:/,
  /general protection/,
  /Call Trace:/,
  /Kernel panic/,
  /\bUBSAN:/,
  /\bKASAN:/,
  /INFO: task .* blocked for more than/,
  /rcu: .*detected stalls/,
  /Unable to handle kernel/,
  /stack-protector:/,
];
const benignPatterns: RegExp[] = [
  /module verification failed/,
  /loading out-of-tree module taints kernel/,
  // A user-space program's fault (shown with loglevel >= 7), not a kernel problem.
  /\btraps: \S+\[\d+\] general protection/,
];

/** Lines of a kernel console that show a kernel problem; taint notices for unsigned/out-of-tree modules are not. */
export function findKernelProblems(console: string): string[] {
  return problemsByCommand(console).all;
}

/**
 * Kernel problems, and which command was running when each was logged (by
 * the "dbatch-vm: command <i> begins/ended" lines /init writes to /dev/kmsg).
 */
export function problemsByCommand(console: string): {
  all: string[];
  byCommand: Map<number, string[]>;
} {
  const all: string[] = [];
  const byCommand = new Map<number, string[]>();
  let current: number | null = null;
  for (const raw of console.split(/\r?\n/)) {
    const line = raw.replace(/\r/g, "").trimEnd();
    const mark = line.match(/dbatch-vm: command (\d+) (begins|ended)$/);
    if (mark) {
      current = mark[2] === "begins" ? Number(mark[1]) : null;
      continue;
    }
    if (benignPatterns.some((re) => re.test(line))) continue;
    if (!problemPatterns.some((re) => re.test(line))) continue;
    all.push(line.trim());
    if (current !== null) byCommand.set(current, [...(byCommand.get(current) ?? []), line.trim()]);
  }
  return { all, byCommand };
}

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

function newestMtime(dir: string, re: RegExp): number {
  let newest = 0;
  for (const rel of listFiles(dir)) {
    if (
      rel.startsWith("vm/") ||
      rel.startsWith("test/") ||
      rel.startsWith("bench/") ||
      rel.includes("node_modules")
    )
      continue;
    if (!re.test(rel)) continue;
    newest = Math.max(newest, statSync(join(dir, rel)).mtimeMs);
  }
  return newest;
}

/** `make args`, under an exclusive lock (flock) when available: rig users may build at once. */
function lockedMake(args: string[]): [string, string[]] {
  mkdirSync(cacheDir, { recursive: true });
  const hasFlock = (process.env.PATH ?? "/usr/bin")
    .split(":")
    .some((d) => existsSync(join(d, "flock")));
  return hasFlock ? ["flock", [join(cacheDir, "make.lock"), "make", ...args]] : ["make", args];
}

/**
 * Makes sure packages/kmod/batch.ko is built for the VM's kernel
 * (`make -C packages/kmod KDIR=/lib/modules/<ver>/build` when it is missing
 * or older than a source file) and returns its path.
 */
export function ensureBatchModule(kernelVersion = resolveKernel().version): string {
  // Another kernel than the default: a cache copy per version, so builds
  // for two kernels never share (or clobber) objects in packages/kmod.
  if (kernelVersion !== resolveKernel(DEFAULT_KERNEL_LINE).version) {
    const files = [
      "Kbuild",
      ...listFiles(KMOD_DIR).filter((f) => /^(src|include)\/.*\.[ch]$/.test(f)),
    ];
    return buildModuleCopy(KMOD_DIR, files, kernelVersion);
  }
  const hasMakefile =
    existsSync(join(KMOD_DIR, "Makefile")) || existsSync(join(KMOD_DIR, "Kbuild"));
  const stale =
    !existsSync(BATCH_KO_PATH) ||
    (hasMakefile &&
      newestMtime(KMOD_DIR, /(\.c|\.h|Kbuild|Makefile)$/) > statSync(BATCH_KO_PATH).mtimeMs);
  if (stale && hasMakefile) {
    try {
      execFileSync(...lockedMake(["-C", KMOD_DIR, `KDIR=${kernelBuildDir(kernelVersion)}`]), {
        stdio: ["ignore", "pipe", "pipe"],
        encoding: "utf8",
      });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      throw new VmError(
        `dbatch-vm: building batch.ko failed:\n${err.stdout ?? ""}${err.stderr ?? ""}`,
      );
    }
  }
  if (!existsSync(BATCH_KO_PATH)) {
    throw new VmError(
      `dbatch-vm: ${BATCH_KO_PATH} is not built (no Makefile in packages/kmod yet?)`,
    );
  }
  return BATCH_KO_PATH;
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
function buildModuleCopy(srcDir: string, files: string[], kernelVersion: string): string {
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

/** Single-quotes a string for sh. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

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

/** Parses the control stream (ttyS1) of one VM run. */
class ControlParser {
  private buf = "";
  private current: number | null = null;
  readonly outputs: string[];
  ready: { hostSeconds: number; guestUptime: number } | null = null;
  done = false;
  readonly ends = new Map<number, { rc: number; timedOut: boolean; uptime: number }>();
  readonly begins = new Map<number, number>();
  readonly skipped = new Set<number>();
  readonly insmods: { rc: number; label: string; message: string }[] = [];
  /** base64 lines of collected files, by index into options.collect. */
  readonly fileLines = new Map<number, string[]>();
  private currentFile: number | null = null;
  constructor(
    private readonly token: string,
    count: number,
    private readonly started: number,
    private readonly onOutput?: (index: number, chunk: string) => void,
  ) {
    this.outputs = new Array<string>(count).fill("");
  }

  private emit(index: number, text: string): void {
    if (!text) return;
    this.outputs[index] = (this.outputs[index] ?? "") + text;
    this.onOutput?.(index, text);
  }

  feed(chunk: string): void {
    this.buf += chunk;
    for (;;) {
      if (this.current !== null) {
        const marker = `\n\x1eDBATCH ${this.token} END ${this.current} `;
        const at = this.buf.indexOf(marker);
        if (at < 0) {
          const safe = Math.max(0, this.buf.length - marker.length);
          this.emit(this.current, this.buf.slice(0, safe));
          this.buf = this.buf.slice(safe);
          return;
        }
        this.emit(this.current, this.buf.slice(0, at));
        this.buf = this.buf.slice(at + 1);
        this.current = null;
        continue;
      }
      const nl = this.buf.indexOf("\n");
      if (nl < 0) return;
      const line = this.buf.slice(0, nl).replace(/\r$/, "");
      this.buf = this.buf.slice(nl + 1);
      if (this.currentFile !== null && !line.startsWith("\x1eDBATCH ")) {
        this.fileLines.get(this.currentFile)?.push(line);
        continue;
      }
      this.control(line);
    }
  }

  private control(line: string): void {
    const prefix = `\x1eDBATCH ${this.token} `;
    const at = line.indexOf(prefix);
    if (at < 0) return;
    const [kind = "", ...rest] = line.slice(at + prefix.length).split(" ");
    switch (kind) {
      case "READY":
        this.ready = {
          hostSeconds: (Date.now() - this.started) / 1000,
          guestUptime: Number(rest[0]),
        };
        break;
      case "INSMOD":
        this.insmods.push({
          rc: Number(rest[0]),
          label: rest[1] ?? "",
          message: rest.slice(2).join(" ").trim(),
        });
        break;
      case "BEGIN": {
        const i = Number(rest[0]);
        this.begins.set(i, Number(rest[1]));
        this.current = i;
        break;
      }
      case "END":
        this.ends.set(Number(rest[0]), {
          rc: Number(rest[1]),
          timedOut: rest[2] === "1",
          uptime: Number(rest[3]),
        });
        break;
      case "SKIP":
        this.skipped.add(Number(rest[0]));
        break;
      case "DONE":
        this.done = true;
        break;
      case "FILE":
        this.currentFile = Number(rest[0]);
        this.fileLines.set(this.currentFile, []);
        break;
      case "FILEEND":
        this.currentFile = null;
        break;
    }
  }

  /** Output of a command still running when the stream ended. */
  flush(): void {
    if (this.current !== null) {
      this.emit(this.current, this.buf);
      this.buf = "";
    }
  }
}

interface Prepared {
  kernel: string;
  /** What qemu loads: the extracted PVH vmlinux when possible. */
  bootImage: string;
  kernelVersion: string;
  token: string;
  modules: { label: string; guest: string; params: string }[];
  initrd: Buffer;
  stdinStream?: NodeJS.ReadableStream;
}

/** The kernel's own modules: the kernel cache's, else /lib/modules/<ver>. */
function kernelModulesDir(kernelVersion: string): string {
  const cached = join(kernelCacheDir, kernelVersion, "modules");
  return existsSync(cached) ? cached : `/lib/modules/${kernelVersion}`;
}

/** Modules the 9p share needs; built-in ones are simply not found in modules.dep. */
const SHARE_MODULES = ["virtio_pci", "9pnet_virtio", "9p"];
/** Modules the streamed stdin's virtio-serial port needs. */
const STDIN_PORT_MODULES = ["virtio_pci", "virtio_console"];

function isStream(stdin: VmCommand["stdin"]): stdin is NodeJS.ReadableStream {
  return stdin !== undefined && typeof stdin !== "string" && !Buffer.isBuffer(stdin);
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
function moduleBytes(path: string): Buffer {
  if (path.endsWith(".ko.xz")) return execFileSync("xz", ["-dc", path], { maxBuffer: 64 << 20 });
  if (path.endsWith(".ko.zst")) return execFileSync("zstd", ["-dc", path], { maxBuffer: 64 << 20 });
  return readFileSync(path);
}

/** Builds the initramfs for a run: base archive + this run's files, modules and run.sh. */
function prepare(options: VmOptions, shell: "root" | "user" | null): Prepared {
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
  if (options.loadModule) addModule(ensureBatchModule(kernelVersion), options.moduleParams);
  for (const m of options.modules ?? []) addModule(m.path, m.params);
  const wantPreload = options.preload ?? existsSync(PRELOAD_HOST_PATH);
  if (wantPreload) {
    if (!existsSync(PRELOAD_HOST_PATH)) {
      throw new VmError(`dbatch-vm: ${PRELOAD_HOST_PATH} is not built (make -C packages/preload)`);
    }
    archive.push({
      guestPath: PRELOAD_GUEST_PATH,
      data: readFileSync(PRELOAD_HOST_PATH),
      mode: 0o755,
    });
    elf.push(PRELOAD_HOST_PATH);
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

/** Boots the VM once, runs the commands in order, and powers it off. */
export async function runInVm(options: VmOptions): Promise<VmResult> {
  const t0 = Date.now();
  const prep = prepare(options, null);
  const work = mkdtempSync(join(tmpdir(), "dbatch-vm-"));
  try {
    const initrd = join(work, "initrd.img");
    writeFileSync(initrd, prep.initrd);
    return await boot({ ...prep, options, initrd, work, t0 });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Interactive: boots the VM with a shell on the console (the terminal, via
 * stdin/stdout; Ctrl-A X quits qemu), after the files, modules and commands
 * of options (commands run first, their output is not shown). Resolves to
 * qemu's exit status when the shell exits (the VM powers off).
 */
export async function runVmShell(
  options: Omit<VmOptions, "onOutput" | "onStderr" | "onConsole">,
  user: "root" | "user" = "root",
): Promise<number> {
  const prep = prepare(options, user);
  const work = mkdtempSync(join(tmpdir(), "dbatch-vm-"));
  try {
    const initrd = join(work, "initrd.img");
    writeFileSync(initrd, prep.initrd);
    const args = [
      ...qemuBaseArgs(options, prep.bootImage, initrd, "loglevel=4"),
      "-serial",
      "mon:stdio",
      "-chardev",
      "null,id=ctl",
      "-serial",
      "chardev:ctl",
      "-chardev",
      "null,id=err",
      "-serial",
      "chardev:err",
    ];
    const child = spawn(findQemu(), args, { stdio: "inherit" });
    return await new Promise<number>((res) => {
      child.on("error", () => res(VM_INFRA_EXIT_CODE));
      child.on("close", (code) => res(code ?? VM_INFRA_EXIT_CODE));
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Exit status the command-line entry uses for VM failures and kernel problems. */
export const VM_INFRA_EXIT_CODE = 125;

function qemuBaseArgs(
  options: VmOptions,
  kernel: string,
  initrd: string,
  loglevel: string,
): string[] {
  const append = [
    "console=ttyS0",
    loglevel,
    "panic=-1",
    "random.trust_cpu=on",
    // Crypto self-tests are half of the boot's instructions (matters under icount).
    "cryptomgr.notests",
    // TCG on a shared host runs the guest slowly against a real-time clock:
    // give RCU-stall and soft-lockup reports a larger margin (60 s) so that a
    // starved VM is not reported as a kernel problem; real hangs still are.
    "rcupdate.rcu_cpu_stall_timeout=60",
    "watchdog_thresh=30",
    options.kernelArgs ?? "",
  ]
    .filter(Boolean)
    .join(" ");
  const args = [
    "-nodefaults",
    "-display",
    "none",
    "-no-reboot",
    "-accel",
    "tcg",
    "-m",
    String(options.memoryMb ?? 512),
    "-smp",
    String(options.cpus ?? 1),
    "-kernel",
    kernel,
    "-initrd",
    initrd,
    "-append",
    append,
  ];
  if (options.icount) args.push("-icount", "shift=0,sleep=off");
  if (options.share) {
    // security_model=none: files the guest makes are the host user's.
    const path = resolve(options.share.hostPath).replace(/,/g, ",,");
    args.push(
      "-fsdev",
      `local,id=share,path=${path},security_model=none`,
      "-device",
      "virtio-9p-pci,fsdev=share,mount_tag=dbatch_share",
    );
  }
  return args;
}

interface BootParams {
  options: VmOptions;
  kernel: string;
  bootImage: string;
  kernelVersion: string;
  initrd: string;
  work: string;
  token: string;
  modules: { label: string; guest: string; params: string }[];
  t0: number;
  stdinStream?: NodeJS.ReadableStream;
}

function findQemu(): string {
  for (const dir of (process.env.PATH ?? "/usr/bin").split(":")) {
    const p = join(dir, "qemu-system-x86_64");
    if (existsSync(p)) return p;
  }
  throw new VmError("dbatch-vm: qemu-system-x86_64 not found (apt-get install qemu-system-x86)");
}

async function boot(p: BootParams): Promise<VmResult> {
  const { options, token } = p;
  const commands = options.commands;
  const consolePath = join(p.work, "console.log");
  const errSocket = join(p.work, "stderr.sock");
  const timeoutSeconds = options.timeoutSeconds ?? 300;
  const args = [
    ...qemuBaseArgs(options, p.bootImage, p.initrd, "loglevel=5"),
    "-chardev",
    `file,id=con,path=${consolePath}`,
    "-serial",
    "chardev:con",
    "-chardev",
    "stdio,id=ctl,signal=off",
    "-serial",
    "chardev:ctl",
    // ttyS2: stderr of commands with stderr: "separate". qemu waits for the host to connect.
    "-chardev",
    `socket,id=err,path=${errSocket},server=on,wait=on`,
    "-serial",
    "chardev:err",
  ];
  // A streamed stdin: a virtio-serial port the host writes into; closing
  // the connection is the guest's end of file.
  const inSocket = join(p.work, "stdin.sock");
  if (p.stdinStream)
    args.push(
      "-device",
      "virtio-serial-pci,id=vser",
      "-chardev",
      `socket,id=stdin,path=${inSocket},server=on,wait=on`,
      "-device",
      "virtserialport,bus=vser.0,chardev=stdin,name=dbatch.stdin",
    );

  const started = Date.now();
  const parser = new ControlParser(token, commands.length, started, options.onOutput);
  const errParser = new ControlParser(token, commands.length, started, options.onStderr);
  const errDecoder = new StringDecoder("utf8");
  let errConn: Socket | null = null;
  let stopped = false;
  let errClosed: () => void = () => undefined;
  const errDone = new Promise<void>((res) => {
    errClosed = res;
  });
  const connectErr = (): void => {
    if (stopped) return;
    const sock = createConnection(errSocket);
    sock.on("connect", () => {
      errConn = sock;
    });
    sock.on("close", () => {
      if (errConn === sock) errClosed();
    });
    sock.on("data", (b: Buffer) => errParser.feed(errDecoder.write(b)));
    sock.on("error", () => {
      if (errConn !== sock) setTimeout(connectErr, 50);
    });
  };
  let inConn: Socket | null = null;
  const connectIn = (stream: NodeJS.ReadableStream): void => {
    if (stopped) return;
    const sock = createConnection(inSocket);
    sock.on("connect", () => {
      inConn = sock;
      stream.pipe(sock);
    });
    // After the connection: the guest went away first (EPIPE); before: retry.
    sock.on("error", () => {
      if (inConn !== sock) setTimeout(() => connectIn(stream), 50);
    });
  };
  const child = spawn(findQemu(), args, { stdio: ["pipe", "pipe", "pipe"] });
  const decoder = new StringDecoder("utf8");
  let qemuStderr = "";
  child.stdout.on("data", (b: Buffer) => parser.feed(decoder.write(b)));
  connectErr();
  if (p.stdinStream) connectIn(p.stdinStream);
  child.stderr.on("data", (b: Buffer) => {
    qemuStderr += b.toString();
  });

  let consoleSeen = 0;
  const pollConsole = (): void => {
    if (!options.onConsole || !existsSync(consolePath)) return;
    const buf = readFileSync(consolePath);
    if (buf.length > consoleSeen) {
      options.onConsole(buf.subarray(consoleSeen).toString("utf8"));
      consoleSeen = buf.length;
    }
  };
  const poller = options.onConsole ? setInterval(pollConsole, 200) : null;

  let timedOut = false;
  let aborted = false;
  const onAbort = (): void => {
    aborted = true;
    child.kill("SIGKILL");
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  const exit = await new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    spawnError?: Error;
  }>((res) => {
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutSeconds * 1000);
    child.on("error", (err) => {
      clearTimeout(timer);
      res({ code: null, signal: null, spawnError: err });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      res({ code, signal });
    });
  });
  if (poller) clearInterval(poller);
  options.signal?.removeEventListener("abort", onAbort);
  stopped = true;
  if (inConn !== null) {
    p.stdinStream?.unpipe(inConn as Socket);
    (inConn as Socket).destroy();
  }
  if (errConn !== null) {
    // qemu has exited, so the socket is closing: let the last bytes arrive.
    await Promise.race([errDone, new Promise((res) => setTimeout(res, 2000))]);
    (errConn as Socket).destroy();
  }
  pollConsole();
  parser.feed(decoder.end());
  parser.flush();
  errParser.feed(errDecoder.end());
  errParser.flush();

  const consoleText = existsSync(consolePath)
    ? readFileSync(consolePath, "utf8").replace(/\r\n/g, "\n")
    : "";
  const { all: problems, byCommand } = problemsByCommand(consoleText);
  const errors: string[] = [];
  if (exit.spawnError) errors.push(`dbatch-vm: cannot start qemu: ${exit.spawnError.message}`);
  if (aborted) {
    errors.push("dbatch-vm: aborted; qemu killed");
  } else if (timedOut) {
    const where =
      parser.ready === null
        ? "before the guest finished booting"
        : parser.begins.size > parser.ends.size
          ? `while running command ${[...parser.begins.keys()].find((i) => !parser.ends.has(i))}`
          : "after the last command";
    errors.push(`dbatch-vm: VM timed out after ${timeoutSeconds} s (${where}); qemu killed`);
  } else if (!parser.done && !exit.spawnError) {
    errors.push(
      `dbatch-vm: the VM stopped before finishing (qemu exit ${exit.code ?? exit.signal})` +
        (qemuStderr.trim() ? `: ${qemuStderr.trim()}` : "") +
        (parser.ready === null ? "; the guest never became ready (see the console)" : ""),
    );
  }
  const modulesLoaded: string[] = [];
  for (const m of parser.insmods) {
    if (m.rc === 0) modulesLoaded.push(m.label);
    else errors.push(`dbatch-vm: insmod ${m.label} failed (exit ${m.rc}): ${m.message}`);
  }
  if (parser.skipped.size > 0)
    errors.push(
      `dbatch-vm: ${parser.skipped.size} command(s) skipped because a module did not load`,
    );

  const results: VmCommandResult[] = commands.map((cmd, i) => {
    const end = parser.ends.get(i);
    const begin = parser.begins.get(i);
    return {
      run: cmd.run,
      user: cmd.user ?? "root",
      exitCode: end ? end.rc : -1,
      output: parser.outputs[i] ?? "",
      stderr: errParser.outputs[i] ?? "",
      timedOut: end?.timedOut ?? false,
      seconds: end && begin !== undefined ? Math.round((end.uptime - begin) * 1000) / 1000 : 0,
      problems: byCommand.get(i) ?? [],
    };
  });
  for (const r of results) if (r.timedOut) errors.push(`dbatch-vm: command timed out: ${r.run}`);
  const ok = errors.length === 0 && problems.length === 0 && results.every((r) => r.exitCode === 0);
  return {
    results,
    console: consoleText,
    problems,
    errors,
    ok,
    bootSeconds: parser.ready ? Math.round(parser.ready.hostSeconds * 100) / 100 : -1,
    totalSeconds: Math.round((Date.now() - p.t0) / 10) / 100,
    kernel: p.kernel,
    kernelVersion: p.kernelVersion,
    modulesLoaded,
    files: Object.fromEntries(
      (options.collect ?? []).map((path, j): [string, Buffer | null] => {
        const lines = parser.fileLines.get(j);
        return [path, lines ? Buffer.from(lines.join(""), "base64") : null];
      }),
    ),
  };
}

/** Host path of the rig's trivial test module source (hello.ko: param warn=1 triggers WARN_ON on load). */
export const TEST_MODULE_DIR = join(vmDir, "testdata", "hello");
