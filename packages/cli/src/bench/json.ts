// The `--json` document: per-call costs and speedups against plain, from one run.

import { methodNames } from "./methods.ts";
import { perCallSummary } from "./stats.ts";
import { workloadNames } from "./workloads.ts";
import type {
  BenchReport,
  MachineInfo,
  Measurement,
  MethodResult,
  Skipped,
  Where,
  WorkloadReport,
} from "./types.ts";

const whereOrder: readonly Where[] = ["host", "vm"];

export interface ReportBuild {
  report: BenchReport;
  /** Measurements that could not be reported (no plain baseline in the same place). */
  skipped: Skipped[];
}

/**
 * Builds the report. perCall is the median over repetitions of the cost per
 * call; speedup = plain's perCall / the method's perCall, plain taken from the
 * same workload and the same place (host or vm) of this run.
 */
export function buildReport(
  machine: MachineInfo,
  measurements: readonly Measurement[],
): ReportBuild {
  const skipped: Skipped[] = [];
  const workloads: WorkloadReport[] = [];
  for (const name of workloadNames) {
    const mine = measurements.filter((m) => m.workload === name);
    if (mine.length === 0) continue;
    const results: MethodResult[] = [];
    let calls = 0;
    for (const where of whereOrder) {
      const here = mine.filter((m) => m.where === where);
      if (here.length === 0) continue;
      const plain = here.find((m) => m.method === "plain");
      if (!plain) {
        skipped.push({
          where,
          method: "all",
          workload: name,
          reason: "no plain baseline measured here, so no ratios",
        });
        continue;
      }
      calls = plain.calls;
      const base = perCallSummary(plain.perRep, plain.calls).median;
      for (const method of methodNames) {
        const m = here.find((x) => x.method === method);
        if (!m) continue;
        const s = perCallSummary(m.perRep, m.calls);
        results.push({
          method,
          where,
          unit: m.unit,
          perCall: s.median,
          min: s.min,
          median: s.median,
          max: s.max,
          speedup: base / s.median,
        });
      }
    }
    if (results.length > 0) workloads.push({ name, calls, results });
  }
  return { report: { machine, workloads }, skipped };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** The JSON text: exactly the documented fields, numbers rounded to 3 decimals. */
export function reportJson(report: BenchReport): string {
  const doc: BenchReport = {
    machine: report.machine,
    workloads: report.workloads.map((w) => ({
      name: w.name,
      calls: w.calls,
      results: w.results.map((r) => ({
        method: r.method,
        where: r.where,
        unit: r.unit,
        perCall: round(r.perCall),
        min: round(r.min),
        median: round(r.median),
        max: round(r.max),
        speedup: round(r.speedup),
      })),
    })),
  };
  return JSON.stringify(doc, null, 2) + "\n";
}
