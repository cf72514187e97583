// This run next to the published figures: the original dBatch's experiment
// and c-blake's batch (figures in docs/benchmarks.md, "Against the published
// figures").

import type { BenchRun } from "./run.ts";
import type { MethodName, MethodResult, Where } from "./types.ts";

function seedRow(run: BenchRun, method: MethodName, where: Where): MethodResult | undefined {
  return run.report.workloads
    .find((w) => w.name === "seed")
    ?.results.find((r) => r.method === method && r.where === where);
}

/** Sentences comparing this run with the references; only what was measured. */
export function comparisonLines(run: BenchRun): string[] {
  const lines: string[] = [];
  const calls = run.report.workloads.find((w) => w.name === "seed")?.calls ?? 0;
  const plainHost = seedRow(run, "plain", "host");
  const batchedHost = (["uring", "emulate"] as const)
    .map((m) => seedRow(run, m, "host"))
    .filter((r): r is MethodResult => r !== undefined)
    .sort((a, b) => b.speedup - a.speedup)[0];
  if (plainHost && batchedHost) {
    const us = (ns: number): string => ((ns * calls) / 1000).toFixed(1);
    lines.push(
      `The original dBatch's experiment (60 writes): about 55-60 µs plain vs 20-33 µs batched, 1.7-3x. ` +
        `This run, ${calls} writes on the host: ${us(plainHost.perCall)} µs plain vs ${us(batchedHost.perCall)} µs ` +
        `with ${batchedHost.method}, ${batchedHost.speedup.toFixed(2)}x.`,
    );
  }
  const plainVm = seedRow(run, "plain", "vm");
  const kmod = seedRow(run, "kmod", "vm");
  const writev = seedRow(run, "writev", "vm");
  if (plainVm && kmod) {
    lines.push(
      `c-blake's batch in the same kind of VM: 594.5 -> 474.5 guest instructions per write, 1.25x. ` +
        `This run: ${plainVm.perCall.toFixed(1)} -> ${kmod.perCall.toFixed(1)} with the kmod backend, ${kmod.speedup.toFixed(2)}x.`,
    );
  }
  if (plainVm && writev) {
    lines.push(
      `The floor, one writev() of ${calls} iovecs: ${writev.perCall.toFixed(1)} guest instructions per write ` +
        `(${writev.speedup.toFixed(1)}x; reference 57.3, 10.4x).`,
    );
  }
  const slower = run.report.workloads.flatMap((w) =>
    w.results
      .filter((r) => r.speedup < 1 && (r.method === "uring" || r.method === "kmod"))
      .map((r) => `${r.method} on ${w.name} (${r.where}, ${r.speedup.toFixed(2)}x)`),
  );
  if (slower.length > 0)
    lines.push(`Batching backends slower than plain in this run: ${slower.join(", ")}.`);
  return lines;
}
