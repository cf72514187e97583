// The `--json` document: per-call costs and speedups against plain, from one run.

import { methodNames } from "./methods.ts";
import { perCallSummary } from "./stats.ts";
import { workloadNames } from "./workloads.ts";
import { fitFixedPlusPerCall } from "@dbatch/vm";
import { median } from "./stats.ts";
import type {
  BenchReport,
  CostFit,
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
  const counts = [...new Set(measurements.map((m) => m.calls))].sort((a, b) => a - b);
  for (const name of workloadNames) {
    for (const count of counts) {
      const built = workloadReport(name, count, measurements, skipped);
      if (built) workloads.push(built);
    }
  }
  const fits = counts.length > 1 ? costFits(measurements) : [];
  return { report: { machine, workloads, ...(fits.length ? { fits } : {}) }, skipped };
}

/** The fixed + per-call fit of each method over the call counts of a --sweep. */
function costFits(measurements: readonly Measurement[]): CostFit[] {
  const fits: CostFit[] = [];
  for (const workload of workloadNames) {
    for (const where of whereOrder) {
      for (const method of methodNames) {
        const points = measurements.filter(
          (m) => m.workload === workload && m.where === where && m.method === method,
        );
        if (points.length < 2) continue;
        const fit = fitFixedPlusPerCall(
          points.map((m) => ({ calls: m.calls, instructions: median(m.perRep) })),
        );
        fits.push({
          workload,
          method,
          where,
          unit: points[0]?.unit ?? "ns",
          fixed: fit.fixed,
          perCall: fit.perCall,
          r2: fit.r2,
          points: fit.n,
        });
      }
    }
  }
  return fits;
}

function workloadReport(
  name: WorkloadReport["name"],
  count: number,
  measurements: readonly Measurement[],
  skipped: Skipped[],
): WorkloadReport | null {
  {
    const mine = measurements.filter((m) => m.workload === name && m.calls === count);
    if (mine.length === 0) return null;
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
          kernelEntries: m.kernelEntries,
        });
      }
    }
    return results.length > 0 ? { name, calls, results } : null;
  }
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
        kernelEntries: r.kernelEntries === null ? null : round(r.kernelEntries),
      })),
    })),
    ...(report.fits
      ? {
          fits: report.fits.map((f) => ({
            ...f,
            fixed: round(f.fixed),
            perCall: round(f.perCall),
            r2: round(f.r2),
          })),
        }
      : {}),
    ...(report.startup
      ? {
          startup: {
            reps: report.startup.reps,
            pairs: report.startup.pairs.map((p) => ({
              name: p.name,
              ours: { ...p.ours, medianMs: round(p.ours.medianMs), minMs: round(p.ours.minMs) },
              reference: {
                ...p.reference,
                medianMs: round(p.reference.medianMs),
                minMs: round(p.reference.minMs),
              },
              ratio: round(p.ratio),
            })),
            largeFile: report.startup.largeFile
              ? {
                  mb: round(report.startup.largeFile.mb),
                  runs: report.startup.largeFile.runs.map((r) => ({
                    mode: r.mode,
                    seconds: round(r.seconds),
                    peakMb: round(r.peakMb),
                    ratio: round(r.ratio),
                  })),
                }
              : null,
          },
        }
      : {}),
  };
  return JSON.stringify(doc, null, 2) + "\n";
}
