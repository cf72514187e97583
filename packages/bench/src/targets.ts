// The targets, judged against the ratios of this run.

import type { StartupReport } from "./startup.ts";
import type { BenchReport, MethodName, MethodResult, Where } from "./types.ts";

export type Verdict = "pass" | "fail" | "not measured";

export interface TargetResult {
  name: string;
  goal: string;
  measured: string;
  verdict: Verdict;
}

function find(report: BenchReport, method: MethodName, where: Where): MethodResult | undefined {
  return report.workloads
    .find((w) => w.name === "seed")
    ?.results.find((r) => r.method === method && r.where === where);
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
  const record = find(report, "record", "host");
  return [
    {
      name: "kmod, seed workload, VM",
      goal: ">= 1.4x fewer guest instructions than plain (c-blake batch: 1.25x)",
      measured: kmod
        ? `${kmod.speedup.toFixed(2)}x (${kmod.perCall.toFixed(1)} instructions per call)`
        : "-",
      verdict: kmod ? (kmod.speedup >= 1.4 ? "pass" : "fail") : "not measured",
    },
    {
      name: "uring, seed workload, host",
      goal: ">= 1.3x faster than plain",
      measured: uring
        ? `${uring.speedup.toFixed(2)}x (${uring.perCall.toFixed(1)} ns per call)`
        : "-",
      verdict: uring ? (uring.speedup >= 1.3 ? "pass" : "fail") : "not measured",
    },
    {
      name: "recording, host",
      goal: "<= 15 ns per deferred call",
      measured: record ? `${record.perCall.toFixed(1)} ns per call` : "-",
      verdict: record ? (record.perCall <= 15 ? "pass" : "fail") : "not measured",
    },
    ...startupTargets(startup),
  ];
}
