// Shared helpers for the preload tests: build the library once, compile C
// programs, run them in a fresh directory and capture everything they leave.
import { spawnSync } from "node:child_process";
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  existsSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const pkgDir = join(dirname(fileURLToPath(import.meta.url)), "..");
export const repoDir = join(pkgDir, "..", "..");
export const includeDir = join(pkgDir, "include");
export const libPath = join(pkgDir, "build", "libdbatch-preload.so");
export const programsDir = join(repoDir, "fixtures", "programs");
export const hostBackends = ["emulate", "uring", "off"] as const;

let built = false;
/** make -s (library and, with target "tests", the C unit tests). */
export function build(target = "all"): void {
  if (built && target === "all") return;
  const r = spawnSync("make", ["-s", "-C", pkgDir, target], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`make ${target} failed:\n${r.stdout}${r.stderr}`);
  if (target === "all") built = true;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `dbatch-${prefix}-`));
}

export function compile(source: string, out: string, extra: string[] = []): void {
  const dir = tempDir("src");
  const file = join(dir, "main.c");
  writeFileSync(file, source);
  const r = spawnSync("cc", ["-O1", "-w", ...extra, "-o", out, file, "-lpthread"], {
    encoding: "utf8",
  });
  rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`cc failed for ${out}:\n${r.stderr}`);
}

/** Environment without any inherited dBatch or preload settings. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === "LD_PRELOAD" || k.startsWith("DBATCH_")) continue;
    env[k] = v;
  }
  return { ...env, LC_ALL: "C", ...extra };
}

export interface RunResult {
  stdout: Buffer;
  stderr: Buffer;
  code: number | null;
  signal: NodeJS.Signals | null;
  files: Map<string, string>; // path -> "dir", "special" (FIFO, socket) or base64 content
}

/** Everything under dir: directories and files with their bytes. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      const rel = relative(dir, p);
      if (st.isDirectory()) {
        out.set(rel + "/", "dir");
        walk(p);
      } else if (st.isFile()) {
        out.set(rel, readFileSync(p).toString("base64"));
      } else {
        // a FIFO (or socket) a program left: reading it would block
        out.set(rel, "special");
      }
    }
  };
  walk(dir);
  return out;
}

export function runIn(
  bin: string,
  opts: { args?: string[]; stdin?: Buffer; env?: NodeJS.ProcessEnv; timeout?: number } = {},
): RunResult {
  const cwd = tempDir("run");
  try {
    const r = spawnSync(bin, opts.args ?? [], {
      cwd,
      input: opts.stdin ?? Buffer.alloc(0),
      env: opts.env ?? cleanEnv(),
      timeout: opts.timeout ?? 30000,
      maxBuffer: 64 << 20,
    });
    if (r.error) throw r.error;
    return {
      stdout: r.stdout,
      stderr: r.stderr,
      code: r.status,
      signal: r.signal,
      files: snapshot(cwd),
    };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

export interface Stats {
  lines: string[];
  backend: string;
  recorded: number;
  flushes: number;
  kernelEntries: number;
}

/** Sum the `dbatch:` stats lines of every process of a run. */
export function parseStats(text: string): Stats {
  const lines = text.split("\n").filter((l) => l.startsWith("dbatch: "));
  const s: Stats = { lines, backend: "", recorded: 0, flushes: 0, kernelEntries: 0 };
  for (const l of lines) {
    const kv = Object.fromEntries(
      l
        .slice(8)
        .split(" ")
        .map((f) => f.split("=") as [string, string]),
    );
    s.backend = kv.backend ?? "";
    s.recorded += Number(kv.recorded);
    s.flushes += Number(kv.flushes);
    s.kernelEntries += Number(kv.kernel_entries);
  }
  return s;
}

/** Run bin under the preload library; stats go to a side file, not stderr. */
export function runPreloaded(
  bin: string,
  backend: string,
  opts: { args?: string[]; stdin?: Buffer; env?: Record<string, string> } = {},
): RunResult & { stats: Stats } {
  const sdir = tempDir("stats");
  const statsFile = join(sdir, "stats");
  try {
    const r = runIn(bin, {
      ...opts,
      env: cleanEnv({
        LD_PRELOAD: libPath,
        DBATCH_BACKEND: backend,
        DBATCH_STATS_FILE: statsFile,
        ...opts.env,
      }),
    });
    const text = existsSync(statsFile) ? readFileSync(statsFile, "utf8") : "";
    return { ...r, stats: parseStats(text) };
  } finally {
    rmSync(sdir, { recursive: true, force: true });
  }
}
