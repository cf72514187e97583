// The seed's perf table (IPC, L1-dcache-load-misses, dTLB-load-misses,
// cache-misses, page-faults) through `perf stat`, where the machine has the
// counters; where it has not, the reason, never a silent gap.

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { PreloadState } from "./build.ts";
import { methodEnv, scratchBase } from "./host-runner.ts";
import { methodSpec } from "./methods.ts";
import { runProcess } from "./process.ts";
import type { Progress } from "./progress.ts";
import type { MethodName } from "./types.ts";

export const counterEvents = [
  "instructions",
  "cycles",
  "L1-dcache-load-misses",
  "dTLB-load-misses",
  "cache-misses",
  "page-faults",
] as const;
export type CounterEvent = (typeof counterEvents)[number];
const hardwareEvents: readonly CounterEvent[] = counterEvents.filter((e) => e !== "page-faults");

export interface CounterRow {
  method: MethodName;
  /** null: not supported or not counted on this machine. */
  values: Record<CounterEvent, number | null>;
  ipc: number | null;
}

export interface CounterReport {
  /** The perf command, for the record (program arguments abbreviated). */
  command: string;
  rows: CounterRow[];
  /** null when every hardware counter was counted. */
  unsupportedReason: string | null;
}

export interface CounterPlan {
  program: string;
  preload: PreloadState;
  methods: readonly MethodName[];
  calls: number;
  reps: number;
}

/** Parses `perf stat -x,` output: value,unit,event,... per line. */
export function parsePerfCsv(text: string): Map<string, number | null> {
  const values = new Map<string, number | null>();
  for (const line of text.split("\n")) {
    const cols = line.split(",");
    if (cols.length < 3) continue;
    const [value, , event] = cols as [string, string, string];
    const name = event.replace(/:u$|:k$/, "");
    if (!(counterEvents as readonly string[]).includes(name)) continue;
    const n = Number(value);
    values.set(name, value.startsWith("<") || !Number.isFinite(n) ? null : n);
  }
  return values;
}

function pmuExplanation(): string {
  if (!existsSync("/sys/bus/event_source/devices/cpu")) {
    return "the kernel exposes no CPU PMU (no /sys/bus/event_source/devices/cpu; e.g. a VM without PMU passthrough)";
  }
  return "the kernel did not count them";
}

export async function runCounters(plan: CounterPlan, progress: Progress): Promise<CounterReport> {
  const events = counterEvents.join(",");
  const command = `perf stat -x, -e ${events} -- dbatch-bench seed <mode> ${plan.calls} ${plan.reps} 0 <dir>`;
  const rows: CounterRow[] = [];
  const missing = new Set<CounterEvent>();
  const dir = mkdtempSync(join(scratchBase(), "dbatch-bench-perf-"));
  try {
    for (const name of plan.methods) {
      const method = methodSpec(name);
      if (!method.where.includes("host") || !method.appliesTo("seed") || method.mode === "record")
        continue;
      if (method.backend !== null && !plan.preload.ok) continue;
      progress(`perf stat seed ${name}`);
      const args = [
        "stat",
        "-x,",
        "-e",
        events,
        "--",
        plan.program,
        "seed",
        method.mode,
        String(plan.calls),
        String(plan.reps),
        "0",
        dir,
      ];
      const result = await runProcess("perf", args, {
        env: methodEnv(method, plan.preload.ok ? plan.preload.path : null),
        timeoutMs: 300_000,
      });
      if (result.spawnError) {
        return {
          command,
          rows: [],
          unsupportedReason: "perf is not installed (Debian: apt-get install linux-perf)",
        };
      }
      const parsed = parsePerfCsv(result.stderr);
      if (result.code !== 0 || parsed.size === 0) {
        const tail = result.stderr.trim().split("\n").slice(-2).join(" | ");
        return {
          command,
          rows: [],
          unsupportedReason: `perf stat failed (exit ${result.code}): ${tail}`,
        };
      }
      const values = Object.fromEntries(
        counterEvents.map((e) => [e, parsed.get(e) ?? null]),
      ) as Record<CounterEvent, number | null>;
      for (const e of counterEvents) if (values[e] === null) missing.add(e);
      const ipc =
        values.instructions !== null && values.cycles ? values.instructions / values.cycles : null;
      rows.push({ method: name, values, ipc });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const missingHardware = hardwareEvents.filter((e) => missing.has(e));
  const missingOther = [...missing].filter((e) => !hardwareEvents.includes(e));
  let unsupportedReason: string | null = null;
  if (missingHardware.length > 0 || missingOther.length > 0) {
    unsupportedReason = `perf stat reports <not supported> for ${[...missingHardware, ...missingOther].join(", ")}: ${pmuExplanation()}`;
  }
  return { command, rows, unsupportedReason };
}
