// The targets, judged against the ratios and counts of this run. Each is a
// line PASS, FAIL or NOT MEASURED: a target whose inputs were not measured
// (a method, a workload, the VM, a --sweep) says so rather than passing.

import type { StartupReport } from "./startup.ts";
import type {
  BenchReport,
  MethodName,
  MethodResult,
  Where,
  WorkloadName,
  WorkloadReport,
} from "./types.ts";

export type Verdict = "pass" | "fail" | "not measured";

export interface TargetResult {
  name: string;
  goal: string;
  measured: string;
  verdict: Verdict;
}

/**
 * The workload's rows at the seed experiment's size (60 calls) when measured,
 * else at the largest count that fits one batch (256 entries): 512 calls
 * flush in the middle, which the recording targets must not count.
 */
function workloadRows(report: BenchReport, workload: WorkloadName): WorkloadReport | undefined {
  const all = report.workloads.filter((w) => w.name === workload);
  const standard = all.find((w) => w.calls === 60);
  if (standard) return standard;
  return all.filter((w) => w.calls <= 256).sort((a, b) => b.calls - a.calls)[0] ?? all[0];
}

function find(
  report: BenchReport,
  method: MethodName,
  where: Where,
  workload: WorkloadName = "seed",
): MethodResult | undefined {
  return workloadRows(report, workload)?.results.find(
    (r) => r.method === method && r.where === where,
  );
}

const verdict = (measured: boolean, ok: boolean): Verdict =>
  !measured ? "not measured" : ok ? "pass" : "fail";

/** Batching never loses: every workload at least as fast as plain, per backend and place. */
function neverLoses(report: BenchReport, method: MethodName, where: Where): TargetResult {
  const rows = report.workloads.flatMap((w) =>
    w.results
      .filter((r) => r.method === method && r.where === where)
      .map((r) => ({ workload: `${w.name}@${w.calls}`, speedup: r.speedup })),
  );
  const losing = rows.filter((r) => r.speedup < 1).sort((a, b) => a.speedup - b.speedup);
  const unit = where === "host" ? "host wall clock" : "VM instructions";
  return {
    name: `${method} never loses, ${where}`,
    goal: `every workload >= 1.00x against plain (${unit})`,
    measured:
      rows.length === 0
        ? "-"
        : losing.length === 0
          ? `all ${rows.length} >= 1.00x`
          : losing
              .slice(0, 4)
              .map((r) => `${r.workload} ${r.speedup.toFixed(2)}x`)
              .join(", ") + (losing.length > 4 ? `, +${losing.length - 4} more` : ""),
    verdict: verdict(rows.length > 0, losing.length === 0),
  };
}

/** Kernel entries per run of the seed README's example (the `example` workload: 4 calls per run). */
function exampleEntries(report: BenchReport, method: MethodName, where: Where): number | null {
  const w = workloadRows(report, "example");
  const r = w?.results.find((x) => x.method === method && x.where === where);
  if (!w || !r || r.kernelEntries === null) return null;
  return r.kernelEntries / (w.calls / 4);
}

function exampleTarget(
  report: BenchReport,
  method: MethodName,
  where: Where,
  goal: string,
  limit: (plain: number | null) => number | null,
): TargetResult {
  const entries = exampleEntries(report, method, where);
  const max = limit(exampleEntries(report, "plain", where));
  // For an "-always" method, also what the backend's cost rule made of it.
  const ruled = method.endsWith("-always")
    ? exampleEntries(report, method.replace(/-always$/, "") as MethodName, where)
    : null;
  return {
    name: `${method}, seed example, ${where}`,
    goal,
    measured:
      entries === null
        ? "-"
        : `${entries.toFixed(2)} kernel entries per run (counted)` +
          (ruled === null ? "" : `; by its cost rule ${ruled.toFixed(2)}`),
    verdict: verdict(
      entries !== null && max !== null,
      entries !== null && max !== null && entries <= max,
    ),
  };
}

function largeFileTarget(startup: StartupReport | null): TargetResult {
  const large = startup?.largeFile ?? null;
  const worst = large ? Math.max(...large.runs.map((r) => r.ratio)) : null;
  return {
    name: "large input, host",
    goal: "`dbatch-transform --check` and `--write` on a 20 MB file: peak memory <= 10x the file",
    measured: large
      ? `${large.mb.toFixed(1)} MB: ` +
        large.runs
          .map((r) => `${r.mode} ${r.peakMb.toFixed(0)} MB (${r.ratio.toFixed(1)}x)`)
          .join(", ")
      : "-",
    // A smaller file (--large-mb) says nothing about the 20 MB goal.
    verdict:
      large && large.mb >= 19 && worst !== null ? (worst <= 10 ? "pass" : "fail") : "not measured",
  };
}

function startupTargets(startup: StartupReport | null): TargetResult[] {
  const goals: [string, string][] = [
    ["help", "`dbatch --help` no slower than `prettier --help`"],
    [
      "check one file",
      "`dbatch-transform --check` on one file no slower than `prettier --check` on one",
    ],
  ];
  return goals.map(([name, goal]) => {
    const p = startup?.pairs.find((x) => x.name === name);
    return {
      name: `start-up, ${name}, host`,
      goal,
      measured: p
        ? `${p.ours.medianMs.toFixed(0)} ms vs ${p.reference.medianMs.toFixed(0)} ms (${p.ratio.toFixed(2)}x)`
        : "-",
      verdict: p ? (p.ratio >= 1 ? "pass" : "fail") : "not measured",
    };
  });
}

export function judgeTargets(report: BenchReport, startup: StartupReport | null): TargetResult[] {
  const kmod = find(report, "kmod", "vm");
  const uring = find(report, "uring", "host");
  const writev = find(report, "writev", "host");
  const recordHost = find(report, "record", "host");
  const recordVm = find(report, "record", "vm");
  // The module's own cost: every batch sent to it (the default kmod runs
  // the small ones of the sweep as plain calls, which is no fit of the ioctl).
  const kmodFit = report.fits?.find(
    (f) => f.workload === "seed" && f.method === "kmod-always" && f.where === "vm",
  );
  return [
    neverLoses(report, "uring", "host"),
    neverLoses(report, "emulate", "host"),
    neverLoses(report, "kmod", "vm"),
    neverLoses(report, "uring", "vm"),
    // What the mechanism makes of the example when it is used: by default
    // both backends run these 4 calls as plain calls (no writes to merge,
    // their cost rules), with plain's 4 entries.
    exampleTarget(report, "kmod-always", "vm", "1 kernel entry per run", () => 1),
    exampleTarget(report, "uring-always", "host", "at most 2 kernel entries per run", () => 2),
    exampleTarget(report, "emulate", "host", "no more kernel entries than plain", (plain) => plain),
    {
      name: "kmod, seed workload, VM",
      goal: ">= 3.0x fewer guest instructions than plain (c-blake batch: 1.25x)",
      measured: kmod
        ? `${kmod.speedup.toFixed(2)}x (${kmod.perCall.toFixed(1)} instructions per call)`
        : "-",
      verdict: verdict(kmod !== undefined, (kmod?.speedup ?? 0) >= 3),
    },
    {
      name: "uring, seed workload, host",
      goal: "within 2x of the writev floor (per call)",
      measured:
        uring && writev
          ? `${uring.perCall.toFixed(1)} ns vs writev ${writev.perCall.toFixed(1)} ns (${(uring.perCall / writev.perCall).toFixed(2)}x)`
          : "-",
      verdict: verdict(
        uring !== undefined && writev !== undefined,
        uring !== undefined && writev !== undefined && uring.perCall <= 2 * writev.perCall,
      ),
    },
    {
      name: "kmod fixed cost per batch, VM",
      goal: "<= 800 guest instructions (fit over merged writes, --sweep)",
      measured: kmodFit
        ? `${kmodFit.fixed.toFixed(0)} + ${kmodFit.perCall.toFixed(1)} x calls (r2 ${kmodFit.r2.toFixed(3)})`
        : "-",
      verdict: verdict(kmodFit !== undefined, (kmodFit?.fixed ?? Infinity) <= 800),
    },
    {
      name: "recording, VM",
      goal: "<= 50 guest instructions per small write",
      measured: recordVm ? `${recordVm.perCall.toFixed(1)} instructions per call` : "-",
      verdict: verdict(recordVm !== undefined, (recordVm?.perCall ?? Infinity) <= 50),
    },
    {
      name: "recording, host",
      goal: "<= 8 ns per deferred call",
      measured: recordHost ? `${recordHost.perCall.toFixed(1)} ns per call` : "-",
      verdict: verdict(recordHost !== undefined, (recordHost?.perCall ?? Infinity) <= 8),
    },
    ...startupTargets(startup),
    largeFileTarget(startup),
  ];
}
