// Builds the VM's initramfs: a cached, gzipped base archive (busybox,
// /init, glibc, the runas helper) followed by a per-run archive (the
// commands, the given files and the shared libraries they need, modules,
// the preload library). The kernel unpacks concatenated archives in order.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  rmSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheDir, guestDir } from "./paths.ts";
import { gzipSync } from "node:zlib";
import { type CpioEntry, packCpio } from "./cpio.ts";

/** Top-level guest directories that are symlinks in the base image (merged /usr). */
const guestSymlinks: Record<string, string> = {
  bin: "usr/bin",
  sbin: "usr/bin",
  lib: "usr/lib",
  lib64: "usr/lib64",
  "usr/sbin": "bin",
};

const baseDirs = [
  "usr",
  "usr/bin",
  "usr/lib",
  "usr/lib/x86_64-linux-gnu",
  "usr/lib64",
  "usr/lib/modules",
  "usr/local",
  "usr/local/bin",
  "opt",
  "opt/dbatch",
  "opt/dbatch/bin",
  "dev",
  "proc",
  "sys",
  "tmp",
  "run",
  "etc",
  "root",
  "home",
  "var",
  "var/tmp",
  "dbatch",
  "dbatch/cmd",
];

/** Rewrites a guest path through the base image's symlinks, e.g. /lib/x -> usr/lib/x. */
export function canonicalGuestPath(guestPath: string): string {
  let p = posix.normalize("/" + guestPath).replace(/^\/+/, "");
  for (let changed = true; changed;) {
    changed = false;
    for (const [link, target] of Object.entries(guestSymlinks)) {
      if (p === link || p.startsWith(link + "/")) {
        const resolved = link.includes("/") ? posix.join(posix.dirname(link), target) : target;
        p = resolved + p.slice(link.length);
        changed = true;
      }
    }
  }
  return p;
}

function sha256(...parts: (string | Buffer)[]): string {
  const h = createHash("sha256");
  for (const part of parts) h.update(part);
  return h.digest("hex");
}

function fileStamp(path: string): string {
  const st = statSync(path);
  return `${path}:${st.size}:${st.mtimeMs}`;
}

function isElf(path: string): boolean {
  try {
    const fd = readFileSync(path);
    return fd.length > 4 && fd[0] === 0x7f && fd.toString("latin1", 1, 4) === "ELF";
  } catch {
    return false;
  }
}

/** The shared libraries (and loader) `ldd` lists for an ELF file; [] for static or non-ELF files. */
export function sharedLibraries(path: string): string[] {
  if (!isElf(path)) return [];
  let out: string;
  try {
    out = execFileSync("ldd", [path], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch {
    return []; // "not a dynamic executable"
  }
  const libs: string[] = [];
  for (const line of out.split("\n")) {
    const arrow = line.match(/=>\s+(\/\S+)\s+\(/);
    const bare = line.match(/^\s*(\/\S+)\s+\(/);
    const lib = arrow?.[1] ?? bare?.[1];
    if (lib) libs.push(lib);
    else if (/=>\s+not found/.test(line)) throw new Error(`dbatch-vm: ${path}: ${line.trim()}`);
  }
  return libs;
}

function writeAtomic(path: string, data: Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function findBusybox(): string {
  for (const p of ["/usr/bin/busybox", "/bin/busybox"]) {
    if (existsSync(p)) {
      if (sharedLibraries(p).length === 0) return p;
    }
  }
  throw new Error("dbatch-vm: a static busybox is needed (apt-get install busybox-static)");
}

/** Libraries always present in the base image (the usual glibc set). */
const baseLibs = [
  "/lib64/ld-linux-x86-64.so.2",
  "/lib/x86_64-linux-gnu/libc.so.6",
  "/lib/x86_64-linux-gnu/libm.so.6",
  "/lib/x86_64-linux-gnu/libpthread.so.0",
  "/lib/x86_64-linux-gnu/libdl.so.2",
  "/lib/x86_64-linux-gnu/librt.so.1",
];

export function baseLibraryPaths(): Set<string> {
  return new Set(baseLibs.filter((p) => existsSync(p)).map(canonicalGuestPath));
}

/** Keeps the newest few base archives (other checkouts may still use older ones). */
function pruneOldBases(keep: string): void {
  const bases = readdirSync(cacheDir)
    .filter((n) => /^base-[0-9a-f]+\.cpio\.gz$/.test(n))
    .map((n) => join(cacheDir, n))
    .filter((p) => p !== keep)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const old of bases.slice(2)) rmSync(old, { force: true });
}

/** Returns the path of the cached, gzipped base archive, building it when its inputs changed. */
export function baseArchive(): string {
  const busybox = findBusybox();
  const initScript = readFileSync(join(guestDir, "init.sh"));
  const runasSrc = readFileSync(join(guestDir, "runas.c"));
  const libs = baseLibs.filter((p) => existsSync(p));
  const key = sha256(
    "base-v2",
    fileStamp(busybox),
    initScript,
    runasSrc,
    readFileSync(fileURLToPath(import.meta.url)),
    readFileSync(join(dirname(fileURLToPath(import.meta.url)), "cpio.ts")),
    ...libs.map(fileStamp),
  ).slice(0, 16);
  const out = join(cacheDir, `base-${key}.cpio.gz`);
  if (existsSync(out)) return out;

  mkdirSync(cacheDir, { recursive: true });
  const runas = join(cacheDir, `dbatch-runas-${process.pid}`);
  execFileSync("gcc", ["-static", "-O2", "-Wall", "-o", runas, join(guestDir, "runas.c")], {
    stdio: ["ignore", "inherit", "inherit"],
  });

  const entries: CpioEntry[] = [];
  for (const d of baseDirs) {
    const mode = d === "tmp" || d === "var/tmp" ? 0o1777 : d === "root" ? 0o700 : 0o755;
    entries.push({ kind: "dir", path: d, mode });
  }
  entries.push({ kind: "dir", path: "home/user", mode: 0o755, uid: 1000, gid: 1000 });
  for (const [link, target] of Object.entries(guestSymlinks))
    entries.push({ kind: "symlink", path: link, target });
  entries.push({ kind: "chardev", path: "dev/console", mode: 0o600, major: 5, minor: 1 });
  entries.push({ kind: "chardev", path: "dev/null", mode: 0o666, major: 1, minor: 3 });
  entries.push({ kind: "file", path: "usr/bin/busybox", mode: 0o755, data: readFileSync(busybox) });
  const applets = execFileSync(busybox, ["--list"], { encoding: "utf8" })
    .split("\n")
    .map((s) => s.trim())
    .filter((s) => s && s !== "busybox" && /^[\w.[\]-]+$/.test(s));
  for (const applet of applets)
    entries.push({ kind: "symlink", path: `usr/bin/${applet}`, target: "busybox" });
  entries.push({
    kind: "file",
    path: "usr/bin/dbatch-runas",
    mode: 0o755,
    data: readFileSync(runas),
  });
  entries.push({ kind: "file", path: "init", mode: 0o755, data: initScript });
  entries.push({
    kind: "file",
    path: "etc/passwd",
    mode: 0o644,
    data: Buffer.from("root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n"),
  });
  entries.push({
    kind: "file",
    path: "etc/group",
    mode: 0o644,
    data: Buffer.from("root:x:0:\nuser:x:1000:\n"),
  });
  entries.push({
    kind: "file",
    path: "etc/hostname",
    mode: 0o644,
    data: Buffer.from("dbatch-vm\n"),
  });
  for (const lib of libs) {
    entries.push({
      kind: "file",
      path: canonicalGuestPath(lib),
      mode: 0o755,
      data: readFileSync(lib),
    });
  }
  execFileSync("rm", ["-f", runas]);
  writeAtomic(out, gzipSync(packCpio(entries), { level: 6 }));
  pruneOldBases(out);
  return out;
}

export interface RunArchiveFile {
  guestPath: string;
  data: Buffer;
  mode: number;
}

/**
 * Packs the per-run archive: the given files (directories created as needed,
 * root-owned 0755 unless they exist in the base image), and for every ELF
 * file among them the shared libraries `ldd` lists that the base lacks.
 */
export function runArchive(
  files: readonly RunArchiveFile[],
  elfSources: readonly string[],
): Buffer {
  const present = baseLibraryPaths();
  const baseDirSet = new Set(baseDirs.concat(["home/user", ""]));
  const all = new Map<string, RunArchiveFile>();
  for (const f of files) all.set(canonicalGuestPath(f.guestPath), f);
  for (const src of elfSources) {
    for (const lib of sharedLibraries(src)) {
      const g = canonicalGuestPath(lib);
      if (present.has(g) || all.has(g)) continue;
      all.set(g, { guestPath: g, data: readFileSync(lib), mode: 0o755 });
    }
  }
  const dirs = new Set<string>();
  for (const g of all.keys()) {
    for (
      let d = posix.dirname(g);
      d !== "." && d !== "" && !baseDirSet.has(d);
      d = posix.dirname(d)
    )
      dirs.add(d);
  }
  const entries: CpioEntry[] = [];
  for (const d of [...dirs].sort(
    (a, b) => a.split("/").length - b.split("/").length || a.localeCompare(b),
  )) {
    entries.push({ kind: "dir", path: d, mode: 0o755 });
  }
  for (const [g, f] of all) entries.push({ kind: "file", path: g, mode: f.mode, data: f.data });
  return packCpio(entries, 100000);
}

/** Lists regular files under a host directory (recursively), relative paths. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const ent of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) walk(r);
      else if (ent.isFile() || ent.isSymbolicLink()) out.push(r);
    }
  };
  walk("");
  return out;
}
