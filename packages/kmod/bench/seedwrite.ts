// The seed workload (bench/c/seedwrite.c) in one icount VM boot: plain,
// writev and raw ioctl, then through the preload library with each backend;
// a least-squares fit per method. `tsx packages/kmod/bench/seedwrite.ts
// [--json] [--no-module] [--reps N]` prints the table.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { preloadLibraryPath } from "@dbatch/preload";
import {
  type BenchRecord,
  fitFixedPlusPerCall,
  type IcountBenchResult,
  type IcountRun,
  isMainModule,
  PRELOAD_GUEST_PATH,
  resolveKernel,
  runIcountBench,
} from "@dbatch/vm";
import { batchModuleFor, kmodDir } from "../index.ts";

export const SEEDWRITE_SOURCE = join(kmodDir, "bench", "c", "seedwrite.c");

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
      batchModuleFor(resolveKernel().version);
    } catch (e) {
      if (options.loadModule === true) throw e;
      loadModule = false; // not built yet: measure without it
    }
  }
  const preload = existsSync(preloadLibraryPath);
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
  const r = await runIcountBench({
    program: SEEDWRITE_SOURCE,
    runs,
    ...(loadModule ? { loadModule: batchModuleFor } : {}),
  });
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
