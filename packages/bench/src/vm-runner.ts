// Runs the workloads inside the qemu VM with -icount shift=0 (the guest clock
// advances 1 ns per guest instruction, so the program's clock_gettime deltas
// are exact instruction counts) through the kmod package's icount harness
// (@dbatch/vm's runIcountBench, on the rig's runInVm): one boot
// for every VM measurement, two only when batch.ko builds but does not load.

import { batchModuleFor } from "@dbatch/kmod";
import {
  type IcountBenchResult,
  type IcountRun,
  PRELOAD_GUEST_PATH,
  runIcountBench,
} from "@dbatch/vm";
import type { PreloadState } from "./build.ts";
import { methodSpec, type MethodSpec } from "./methods.ts";
import { parsePreloadStats, parseProgramOutput } from "./program-output.ts";
import type { Progress } from "./progress.ts";
import type { Measurement, MethodName, Skipped, WorkloadName } from "./types.ts";

export interface VmPlan {
  program: string;
  preload: PreloadState;
  workloads: readonly WorkloadName[];
  methods: readonly MethodName[];
  /** Every call count measured (one --sweep, all in the same boot). */
  callCounts: readonly number[];
  reps: number;
  warmup: number;
}

export interface VmOutcome {
  measurements: Measurement[];
  skipped: Skipped[];
  notes: string[];
  /** The guest kernel's release, when the VM booted. */
  kernel: string | null;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const lines = text.split("\n").map((l) => l.trim());
  const detail = lines.slice(1).find((l) => /error|No such|not found/i.test(l));
  return detail ? `${lines[0]} ${detail}` : (lines[0] ?? text);
}

function lastLines(text: string, n: number): string {
  return text.trim().split("\n").slice(-n).join(" | ");
}

interface Job {
  label: string;
  workload: WorkloadName;
  method: MethodSpec;
  calls: number;
}

const scratch = "/dev/shm/dbatch-bench";

function skipAll(reason: string, skipped: Skipped[]): VmOutcome {
  skipped.push({ where: "vm", method: "all", workload: "all", reason });
  return { measurements: [], skipped, notes: [], kernel: null };
}

export async function runVm(plan: VmPlan, progress: Progress): Promise<VmOutcome> {
  const skipped: Skipped[] = [];
  const notes: string[] = [];

  let jobs: Job[] = [];
  for (const workload of plan.workloads) {
    for (const name of plan.methods) {
      const method = methodSpec(name);
      if (!method.where.includes("vm") || !method.appliesTo(workload)) continue;
      if (method.backend !== null && !plan.preload.ok) {
        skipped.push({ where: "vm", method: name, workload, reason: plan.preload.reason });
        continue;
      }
      for (const calls of plan.callCounts) {
        jobs.push({ label: `${workload}-${name}-${calls}`, workload, method, calls });
      }
    }
  }
  if (jobs.length === 0) return { measurements: [], skipped, notes, kernel: null };

  const boot = (withModule: boolean): Promise<IcountBenchResult> => {
    const runs: IcountRun[] = jobs.map((job, i) => {
      const env: Record<string, string> = {};
      if (job.method.needsModule) {
        // The counter is a system-call tracepoint, and batch.ko refuses the
        // batches of a task whose calls are traced (they must stay visible):
        // counted, kmod would only show its plain fallback.
        env["DBATCH_BENCH_NO_COUNT"] = "batch.ko-refuses-traced-tasks";
      }
      if (job.method.backend !== null) {
        env["LD_PRELOAD"] = PRELOAD_GUEST_PATH;
        env["DBATCH_BACKEND"] = job.method.backend;
        env["DBATCH_STATS"] = "1";
        Object.assign(env, job.method.env);
      }
      const args = [job.workload, job.method.mode, job.calls, plan.reps, plan.warmup];
      return { label: job.label, args: [...args.map(String), `${scratch}/${i}`], env };
    });
    progress(
      `vm: one boot (-icount shift=0${withModule ? ", batch.ko loaded" : ""}) for ${runs.length} measurements; TCG is slow`,
    );
    return runIcountBench({
      program: plan.program,
      runs,
      ...(withModule ? { loadModule: batchModuleFor } : {}),
      setup: [`mkdir -p ${jobs.map((_, i) => `${scratch}/${i}`).join(" ")}`],
      timeoutSeconds: 1800,
    });
  };

  const wantModule = jobs.some((j) => j.method.needsModule);
  let result: IcountBenchResult | null = null;
  let moduleReason: string | null = null;
  if (wantModule) {
    try {
      result = await boot(true);
      if (!result.vm.modulesLoaded.includes("batch.ko")) {
        const why = result.vm.errors.find((e) => /insmod/.test(e)) ?? "batch.ko did not load";
        moduleReason = why;
        result = null;
      }
    } catch (err) {
      moduleReason = `batch.ko is not available: ${firstLine(err)}`;
    }
    if (moduleReason !== null) {
      for (const j of jobs.filter((x) => x.method.needsModule)) {
        skipped.push({
          where: "vm",
          method: j.method.name,
          workload: j.workload,
          reason: moduleReason,
        });
      }
      jobs = jobs.filter((x) => !x.method.needsModule);
    }
  }
  if (result === null && jobs.length > 0) {
    try {
      result = await boot(false);
    } catch (err) {
      return skipAll(`the VM did not run: ${firstLine(err)}`, skipped);
    }
  }
  if (result === null) return { measurements: [], skipped, notes, kernel: null };
  progress("vm: done");
  const vm = result.vm;
  for (const e of vm.errors) notes.push(`vm: ${e}`);
  if (vm.problems.length > 0) {
    notes.push(`vm: KERNEL PROBLEMS on the console: ${vm.problems.slice(0, 5).join(" | ")}`);
  }

  const measurements: Measurement[] = [];
  jobs.forEach((job, i) => {
    const r = vm.results[i + 1]; // after the one setup command
    const name = job.method.name;
    if (!r || r.exitCode !== 0) {
      const why = r
        ? r.timedOut
          ? "timed out"
          : `exit ${r.exitCode}: ${lastLines(r.output, 3)}`
        : "did not run";
      skipped.push({
        where: "vm",
        method: name,
        workload: job.workload,
        reason: `benchmark failed in the VM (${why})`,
      });
      return;
    }
    try {
      const run = parseProgramOutput(r.output);
      // The library's exit line covers every repetition the process ran.
      const stats =
        job.method.backend !== null
          ? parsePreloadStats(r.output, plan.reps + plan.warmup + run.countedReps)
          : null;
      measurements.push({
        workload: job.workload,
        method: name,
        where: "vm",
        unit: "instructions",
        calls: run.calls,
        perRep: run.perRep,
        preloadStats: stats,
        // batch.ko methods: the tracepoint cannot count them (the module
        // refuses traced tasks), the library counts its own.
        kernelEntries: run.kernelEntries ?? run.libraryEntries,
      });
    } catch (err) {
      skipped.push({ where: "vm", method: name, workload: job.workload, reason: firstLine(err) });
    }
  });
  return { measurements, skipped, notes, kernel: vm.kernelVersion };
}
