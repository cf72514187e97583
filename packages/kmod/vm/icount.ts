// icount benchmark harness: runs guest benchmark programs in ONE VM boot with
// `-icount shift=0,sleep=off` (guest CLOCK_MONOTONIC advances 1 ns per guest
// instruction, so clock_gettime deltas are exact instruction counts, user +
// kernel, the same from boot to boot) and parses their `bench k=v ...` lines.
//
// For the kmod engineer (and `dbatch bench`):
//
//   import { runIcountBench, runSeedwrite, fitFixedPlusPerCall, formatSeedwriteTable } from "../vm/icount.ts";
//
//   // any C program printing lines "bench key=value key=value ..." (numbers parsed):
//   const { records, vm } = await runIcountBench({
//     program: "packages/kmod/bench/c/bench_raw.c",   // .c is built with gcc -O2 (dynamic),
//                                                      // -I kmod/include/uapi -I preload/include
//     loadModule: true,                                // insmod batch.ko first
//     runs: [{ label: "null", args: ["null", "20"] },
//            { label: "emulate", env: { LD_PRELOAD: PRELOAD_GUEST_PATH, DBATCH_BACKEND: "emulate" } }],
//   });
//   // records: { run: label, method, target, calls, instructions, ... }[]; vm.ok, vm.problems ...
//   fitFixedPlusPerCall(records.filter(r => r.method === "ioctl").map(r => ({ calls: r.calls, instructions: r.instructions })));
//   // -> { fixed, perCall, r2, n }: instructions ~= fixed + perCall * calls (least squares)
//
//   // The seed workload (bench/c/seedwrite.c): plain, writev, raw ioctl, preload x backends:
//   const s = await runSeedwrite();   // loads batch.ko when it builds, preload lib when built
//   console.log(formatSeedwriteTable(s));
//
// Command line: `tsx packages/kmod/vm/icount.ts [--json] [--no-module] [--reps N]`
// prints the seedwrite table (`pnpm --filter @dbatch/kmod bench` is bench/bench.ts).

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import {
  cacheDir,
  ensureBatchModule,
  PRELOAD_GUEST_PATH,
  PRELOAD_HOST_PATH,
  repoRoot,
  runInVm,
  shellQuote,
  type VmFile,
  type VmResult,
  VmError,
} from "./rig.ts";
import { isMainModule } from "./is-main.ts";

export interface BenchRecord {
  /** The run's label (IcountRun.label). */
  run: string;
  method: string;
  target: string;
  calls: number;
  instructions: number;
  [key: string]: string | number;
}

export interface IcountRun {
  label: string;
  args?: string[];
  env?: Record<string, string>;
  user?: "root" | "user";
}

export interface IcountBenchOptions {
  /** A C source (built here, dynamically linked, -O2) or a guest-ready binary. */
  program: string;
  runs: IcountRun[];
  /** insmod batch.ko before the runs. */
  loadModule?: boolean;
  files?: VmFile[];
  /** Extra gcc flags when program is a .c file. */
  cflags?: string[];
  /** Libraries etc., after the source on gcc's command line (e.g. ["-lpthread"]). */
  ldflags?: string[];
  timeoutSeconds?: number;
  /** Commands run (as root) before the benchmark runs, e.g. setup. */
  setup?: string[];
}

export interface IcountBenchResult {
  records: BenchRecord[];
  /** Non-"bench" output lines of each run (bench-info lines, errors), by label. */
  notes: Record<string, string>;
  vm: VmResult;
}

/** Parses `bench key=value ...` lines; numeric values become numbers. */
export function parseBenchLines(text: string, run: string): BenchRecord[] {
  const out: BenchRecord[] = [];
  for (const line of text.split("\n")) {
    const m = line.match(/^bench\s+(.*)$/);
    if (!m?.[1]) continue;
    const rec: BenchRecord = { run, method: "", target: "", calls: 0, instructions: Number.NaN };
    for (const kv of m[1].trim().split(/\s+/)) {
      const eq = kv.indexOf("=");
      if (eq <= 0) continue;
      const key = kv.slice(0, eq);
      const raw = kv.slice(eq + 1);
      rec[key] = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
    }
    out.push(rec);
  }
  return out;
}

/** Least-squares fit instructions = fixed + perCall * calls. r2: coefficient of determination. */
export function fitFixedPlusPerCall(points: readonly { calls: number; instructions: number }[]): {
  fixed: number;
  perCall: number;
  r2: number;
  n: number;
} {
  const n = points.length;
  if (n === 0) return { fixed: Number.NaN, perCall: Number.NaN, r2: Number.NaN, n };
  const mx = points.reduce((s, p) => s + p.calls, 0) / n;
  const my = points.reduce((s, p) => s + p.instructions, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const p of points) {
    sxx += (p.calls - mx) ** 2;
    sxy += (p.calls - mx) * (p.instructions - my);
    syy += (p.instructions - my) ** 2;
  }
  if (sxx === 0) return { fixed: Number.NaN, perCall: my / mx, r2: Number.NaN, n };
  const perCall = sxy / sxx;
  const fixed = my - perCall * mx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { fixed, perCall, r2, n };
}

/** Builds a C benchmark for the guest (cached by source + flags); returns the binary path. */
export function buildGuestProgram(
  source: string,
  cflags: readonly string[] = [],
  ldflags: readonly string[] = [],
): string {
  const src = resolve(source);
  const flags = [
    "-O2",
    "-Wall",
    "-I",
    join(repoRoot, "packages", "kmod", "include", "uapi"),
    "-I",
    join(repoRoot, "packages", "preload", "include"),
    ...cflags,
  ];
  const hash = createHash("sha256")
    .update(readFileSync(src))
    .update(flags.join("\0"))
    .update(ldflags.join("\0"))
    .digest("hex")
    .slice(0, 12);
  const dir = join(cacheDir, "bench");
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${basename(src).replace(/\.c$/, "")}-${hash}`);
  if (!existsSync(out)) {
    const tmp = `${out}.${process.pid}.tmp`;
    try {
      execFileSync("gcc", [...flags, "-o", tmp, src, ...ldflags], {
        stdio: ["ignore", "pipe", "pipe"],
        encoding: "utf8",
      });
    } catch (e) {
      const err = e as { stderr?: string };
      throw new VmError(`dbatch-vm: compiling ${source} failed:\n${err.stderr ?? ""}`);
    }
    execFileSync("mv", [tmp, out]);
  }
  return out;
}

/** Runs a benchmark program once per run, all in one icount boot. */
export async function runIcountBench(options: IcountBenchOptions): Promise<IcountBenchResult> {
  const binary = options.program.endsWith(".c")
    ? buildGuestProgram(options.program, options.cflags, options.ldflags)
    : resolve(options.program);
  const guestBin = `/opt/bench/${basename(binary)}`;
  const commands = [
    ...(options.setup ?? []).map((run) => ({ run })),
    ...options.runs.map((r) => ({
      run: [guestBin, ...(r.args ?? [])].map(shellQuote).join(" "),
      env: r.env ?? {},
      user: r.user ?? "root",
    })),
  ];
  const vm = await runInVm({
    commands,
    files: [{ hostPath: binary, guestPath: guestBin, mode: 0o755 }, ...(options.files ?? [])],
    loadModule: options.loadModule ?? false,
    icount: true,
    timeoutSeconds: options.timeoutSeconds ?? 600,
  });
  const records: BenchRecord[] = [];
  const notes: Record<string, string> = {};
  const offset = (options.setup ?? []).length;
  options.runs.forEach((r, i) => {
    const res = vm.results[offset + i];
    const output = res?.output ?? "";
    records.push(...parseBenchLines(output, r.label));
    const other = output
      .split("\n")
      .filter((l) => l && !l.startsWith("bench "))
      .join("\n");
    notes[r.label] = (res && res.exitCode !== 0 ? `exit ${res.exitCode}\n` : "") + other;
  });
  return { records, notes, vm };
}

export const SEEDWRITE_SOURCE = join(repoRoot, "packages", "kmod", "bench", "c", "seedwrite.c");

export interface SeedwriteResult extends IcountBenchResult {
  /** Fits per (run, method, target) over the call counts. */
  fits: {
    run: string;
    method: string;
    target: string;
    fixed: number;
    perCall: number;
    r2: number;
  }[];
  moduleLoaded: boolean;
  preload: boolean;
}

/**
 * The seed workload in one icount boot: the plain binary (plain, writev, and
 * raw ioctl when /dev/batch exists), then with the preload library for the
 * backends off, emulate, uring and (with the module) kmod.
 */
export async function runSeedwrite(
  options: { loadModule?: boolean; reps?: number; sizes?: number[] } = {},
): Promise<SeedwriteResult> {
  let loadModule = options.loadModule ?? true;
  if (loadModule) {
    try {
      ensureBatchModule();
    } catch (e) {
      if (options.loadModule === true) throw e;
      loadModule = false; // not built yet: measure without it
    }
  }
  const preload = existsSync(PRELOAD_HOST_PATH);
  const args = [
    "--reps",
    String(options.reps ?? 5),
    "--sizes",
    (options.sizes ?? [1, 8, 60, 512]).join(","),
  ];
  const runs: IcountRun[] = [{ label: "direct", args }];
  if (preload) {
    const backends = ["off", "emulate", "uring", ...(loadModule ? ["kmod"] : [])];
    for (const b of backends) {
      runs.push({
        label: `preload-${b}`,
        args,
        env: { LD_PRELOAD: PRELOAD_GUEST_PATH, DBATCH_BACKEND: b, DBATCH_STATS: "1" },
      });
    }
  }
  const r = await runIcountBench({ program: SEEDWRITE_SOURCE, runs, loadModule });
  const groups = new Map<string, BenchRecord[]>();
  for (const rec of r.records) {
    const key = `${rec.run}\0${rec.method}\0${rec.target}`;
    groups.set(key, [...(groups.get(key) ?? []), rec]);
  }
  const fits = [...groups.entries()].map(([key, recs]) => {
    const [run = "", method = "", target = ""] = key.split("\0");
    return { run, method, target, ...fitFixedPlusPerCall(recs) };
  });
  return { ...r, fits, moduleLoaded: r.vm.modulesLoaded.includes("batch.ko"), preload };
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toFixed(digits) : "-";
}

/** A text table: instructions for 60 calls, per call, and the fixed + per-call fit. */
export function formatSeedwriteTable(s: SeedwriteResult, headline = 60): string {
  const lines: string[] = [];
  const plain = new Map<string, number>();
  for (const rec of s.records) {
    if (rec.run === "direct" && rec.method === "plain" && rec.calls === headline) {
      plain.set(rec.target, rec.instructions);
    }
  }
  lines.push(
    `guest instructions (icount), ${headline} x write(12 bytes); module ${s.moduleLoaded ? "loaded" : "not loaded"}, preload ${s.preload ? "yes" : "no"}`,
  );
  const head = [
    "target",
    "run",
    "method",
    `insns/${headline}`,
    "per call",
    "vs plain",
    "fit fixed",
    "fit per call",
    "ok",
  ];
  const rows: string[][] = [head];
  const order = (r: BenchRecord): string =>
    `${r.target}\0${r.run === "direct" ? "0" : "1" + r.run}\0${r.method}`;
  const heads = s.records
    .filter((r) => r.calls === headline)
    .sort((a, b) => order(a).localeCompare(order(b)));
  for (const rec of heads) {
    const fit = s.fits.find(
      (f) => f.run === rec.run && f.method === rec.method && f.target === rec.target,
    );
    const base = plain.get(rec.target);
    rows.push([
      rec.target,
      rec.run,
      rec.method,
      fmt(rec.instructions),
      fmt(rec.instructions / headline, 1),
      base ? `${fmt(base / rec.instructions, 2)}x` : "-",
      fit ? fmt(fit.fixed) : "-",
      fit ? fmt(fit.perCall, 1) : "-",
      String(rec["ok"] ?? "?"),
    ]);
  }
  const widths = head.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  for (const r of rows) lines.push(r.map((cell, c) => cell.padStart(widths[c] ?? 0)).join("  "));
  if (s.vm.problems.length > 0) lines.push(`kernel problems:\n  ${s.vm.problems.join("\n  ")}`);
  if (s.vm.errors.length > 0) lines.push(`errors:\n  ${s.vm.errors.join("\n  ")}`);
  for (const [label, note] of Object.entries(s.notes)) {
    if (note.trim()) lines.push(`${label}: ${note.trim().replace(/\n/g, "\n  ")}`);
  }
  return lines.join("\n");
}

async function main(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  const noModule = argv.includes("--no-module");
  const repsAt = argv.indexOf("--reps");
  const reps = repsAt >= 0 ? Number(argv[repsAt + 1]) : undefined;
  const s = await runSeedwrite({
    ...(noModule ? { loadModule: false } : {}),
    ...(reps !== undefined && Number.isFinite(reps) ? { reps } : {}),
  });
  if (json) {
    process.stdout.write(
      JSON.stringify(
        {
          records: s.records,
          fits: s.fits,
          moduleLoaded: s.moduleLoaded,
          preload: s.preload,
          bootSeconds: s.vm.bootSeconds,
          problems: s.vm.problems,
          errors: s.vm.errors,
          notes: s.notes,
        },
        null,
        2,
      ) + "\n",
    );
  } else {
    process.stdout.write(formatSeedwriteTable(s) + "\n");
    process.stderr.write(
      `dbatch-vm: icount boot ${s.vm.bootSeconds}s, total ${s.vm.totalSeconds}s\n`,
    );
  }
  return s.vm.problems.length > 0 || s.vm.errors.length > 0 ? 125 : 0;
}

if (isMainModule(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`dbatch-vm: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 125;
    },
  );
}
