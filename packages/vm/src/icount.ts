// icount benchmark harness: runs guest benchmark programs in ONE VM boot with
// `-icount shift=0,sleep=off` (guest CLOCK_MONOTONIC advances 1 ns per guest
// instruction, so clock_gettime deltas are exact instruction counts, user +
// kernel, the same from boot to boot) and parses their `bench k=v ...` lines
// (the one parser of the benchmark's line format; @dbatch/bench's
// dbatch-bench prints `bench workload=W mode=M calls=N rep=R cost=C`).
//
//   import { runIcountBench, fitFixedPlusPerCall } from "@dbatch/vm";
//   const { records, vm } = await runIcountBench({
//     program: "/path/to/dbatch-bench",                // or a .c file, built here
//     loadModule: batchModuleFor,                      // insmod batch.ko first (@dbatch/kmod)
//     runs: [{ label: "seed-ioctl", args: ["seed", "ioctl", "60", "5", "1", "/tmp"] }],
//   });
//   // records: { run: label, workload, mode, calls, rep, cost }[]; vm.ok, vm.problems ...
//   fitFixedPlusPerCall(points)  // { fixed, perCall, r2, n }: least squares
//
// `dbatch bench` (@dbatch/bench) is the benchmark built on this.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { preloadCFlags } from "@dbatch/preload";
import { VmError } from "./errors.ts";
import { cacheDir } from "./paths.ts";
import { runInVm } from "./run.ts";
import { shellQuote } from "./shell.ts";
import type { ModuleBuilder, VmFile, VmResult } from "./types.ts";

/** One `bench k=v ...` line: its fields (numbers parsed) and the run it came from. */
export interface BenchRecord {
  /** The run's label (IcountRun.label). */
  run: string;
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
  /** insmod batch.ko before the runs (@dbatch/kmod's batchModuleFor). */
  loadModule?: ModuleBuilder;
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
    const rec: BenchRecord = { run };
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
  const flags = ["-O2", "-Wall", ...preloadCFlags, ...cflags];
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
    ...(options.loadModule ? { loadModule: options.loadModule } : {}),
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
