// Runs the workloads inside the qemu VM with -icount shift=0 (the guest clock
// advances 1 ns per guest instruction, so the program's clock_gettime deltas
// are exact instruction counts), through the kmod package's rig
// (packages/kmod/vm/rig.ts runInVm): one boot for every VM measurement.

import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { PreloadState } from "./build.ts";
import { methodSpec, type MethodSpec } from "./methods.ts";
import { vmRigModule } from "./paths.ts";
import { parsePreloadStats, parseProgramOutput } from "./program-output.ts";
import type { Progress } from "./progress.ts";
import type { Measurement, MethodName, Skipped, WorkloadName } from "./types.ts";

export interface VmPlan {
  program: string;
  preload: PreloadState;
  workloads: readonly WorkloadName[];
  methods: readonly MethodName[];
  calls: number;
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

/** The part of the rig's API this runner uses (checked at run time: the rig is another package). */
interface RigCommand {
  run: string;
  env?: Record<string, string>;
  timeoutSeconds?: number;
}
interface RigOptions {
  commands: RigCommand[];
  files?: { hostPath: string; guestPath: string; mode?: number }[];
  preload?: boolean;
  icount?: boolean;
  timeoutSeconds?: number;
}
interface RigResult {
  results: { exitCode: number; output: string; timedOut: boolean }[];
  problems: string[];
  errors: string[];
  kernelVersion: string;
}
interface Rig {
  runInVm(options: RigOptions): Promise<RigResult>;
  ensureBatchModule(): string;
  PRELOAD_GUEST_PATH: string;
}

function isRig(mod: unknown): mod is Rig {
  if (typeof mod !== "object" || mod === null) return false;
  const m = mod as Record<string, unknown>;
  return (
    typeof m["runInVm"] === "function" &&
    typeof m["ensureBatchModule"] === "function" &&
    typeof m["PRELOAD_GUEST_PATH"] === "string"
  );
}

const guestDir = "/opt/dbatch-bench";
const guestProgram = `${guestDir}/dbatch-bench`;
const guestModule = `${guestDir}/batch.ko`;
const stderrMarker = "@@dbatch-bench-stderr@@";

function skipAll(reason: string): VmOutcome {
  return {
    measurements: [],
    skipped: [{ where: "vm", method: "all", workload: "all", reason }],
    notes: [],
    kernel: null,
  };
}

interface Job {
  workload: WorkloadName;
  method: MethodSpec;
}

function jobScript(job: Job, plan: VmPlan): string {
  const args = [job.workload, job.method.mode, plan.calls, plan.reps, plan.warmup].join(" ");
  return [
    "d=$(mktemp -d /dev/shm/dbatch-bench.XXXXXX) || exit 125",
    `${guestProgram} ${args} "$d" 2>/tmp/dbatch-bench.err`,
    "rc=$?",
    `echo ${stderrMarker}`,
    "cat /tmp/dbatch-bench.err",
    'rm -rf "$d"',
    "exit $rc",
  ].join("\n");
}

/** The first line of an error and its first compiler/make error line, if any. */
function errorSummary(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const lines = text.split("\n").map((l) => l.trim());
  const detail = lines.slice(1).find((l) => /error|No such|not found/i.test(l));
  return detail ? `${lines[0]} ${detail}` : (lines[0] ?? text);
}

function lastLines(text: string, n: number): string {
  return text.trim().split("\n").slice(-n).join(" | ");
}

export async function runVm(plan: VmPlan, progress: Progress): Promise<VmOutcome> {
  if (!existsSync(vmRigModule)) {
    return skipAll("the VM rig is missing (packages/kmod/vm/rig.ts not found)");
  }
  let rig: unknown;
  try {
    rig = await import(pathToFileURL(vmRigModule).href);
  } catch (err) {
    return skipAll(
      `the VM rig failed to load: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (!isRig(rig))
    return skipAll("the VM rig does not export runInVm/ensureBatchModule/PRELOAD_GUEST_PATH");

  const skipped: Skipped[] = [];
  const notes: string[] = [];
  const files: { hostPath: string; guestPath: string; mode?: number }[] = [
    { hostPath: plan.program, guestPath: guestProgram, mode: 0o755 },
  ];
  let kmodReason: string | null = null;
  if (plan.methods.includes("kmod")) {
    try {
      progress("vm: building batch.ko for the VM's kernel");
      files.push({ hostPath: rig.ensureBatchModule(), guestPath: guestModule, mode: 0o644 });
    } catch (err) {
      kmodReason = `batch.ko is not available: ${errorSummary(err)}`;
    }
  }

  const jobs: Job[] = [];
  for (const workload of plan.workloads) {
    for (const name of plan.methods) {
      const method = methodSpec(name);
      if (!method.where.includes("vm") || !method.appliesTo(workload)) continue;
      if (method.backend !== null && !plan.preload.ok) {
        skipped.push({ where: "vm", method: name, workload, reason: plan.preload.reason });
        continue;
      }
      if (name === "kmod" && kmodReason !== null) {
        skipped.push({ where: "vm", method: name, workload, reason: kmodReason });
        continue;
      }
      jobs.push({ workload, method });
    }
  }
  if (jobs.length === 0) return { measurements: [], skipped, notes, kernel: null };

  const hasModule = files.some((f) => f.guestPath === guestModule);
  const commands: RigCommand[] = [
    {
      run: hasModule
        ? `uname -r; insmod ${guestModule} && test -c /dev/batch && echo dbatch-bench: /dev/batch ready`
        : "uname -r",
      timeoutSeconds: 60,
    },
    ...jobs.map((job) => {
      const env: Record<string, string> = {};
      if (job.method.backend !== null) {
        env["LD_PRELOAD"] = rig.PRELOAD_GUEST_PATH;
        env["DBATCH_BACKEND"] = job.method.backend;
        env["DBATCH_STATS"] = "1";
      }
      return { run: jobScript(job, plan), env, timeoutSeconds: 600 };
    }),
  ];

  progress(
    `vm: one boot (-icount shift=0) for ${jobs.length} measurements; this takes a while under TCG`,
  );
  let result: RigResult;
  try {
    result = await rig.runInVm({
      commands,
      files,
      preload: plan.preload.ok,
      icount: true,
      timeoutSeconds: 1800,
    });
  } catch (err) {
    const reason = `the VM did not run: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`;
    skipped.push({ where: "vm", method: "all", workload: "all", reason });
    return { measurements: [], skipped, notes, kernel: null };
  }
  progress("vm: done");
  for (const e of result.errors) notes.push(`vm: ${e}`);
  if (result.problems.length > 0) {
    notes.push(
      `vm: KERNEL PROBLEMS on the console during the run: ${result.problems.slice(0, 5).join(" | ")}`,
    );
  }

  const first = result.results[0];
  const kernel =
    first && first.exitCode >= 0
      ? (first.output.trim().split("\n")[0] ?? result.kernelVersion)
      : result.kernelVersion;
  const moduleReady = hasModule && first !== undefined && first.output.includes("/dev/batch ready");
  if (hasModule && !moduleReady) {
    notes.push(`vm: insmod batch.ko failed: ${lastLines(first?.output ?? "", 3)}`);
  }

  const measurements: Measurement[] = [];
  jobs.forEach((job, i) => {
    const r = result.results[i + 1];
    const name = job.method.name;
    if (!r || r.exitCode !== 0) {
      const why = r
        ? r.timedOut
          ? "timed out"
          : `exit ${r.exitCode}: ${lastLines(r.output, 3)}`
        : "did not run";
      const reason =
        name === "kmod" && hasModule && !moduleReady
          ? "insmod batch.ko failed in the VM"
          : `benchmark failed in the VM (${why})`;
      skipped.push({ where: "vm", method: name, workload: job.workload, reason });
      return;
    }
    const cut = r.output.indexOf(stderrMarker);
    const stdout = cut >= 0 ? r.output.slice(0, cut) : r.output;
    const stderr = cut >= 0 ? r.output.slice(cut + stderrMarker.length) : "";
    try {
      const run = parseProgramOutput(stdout);
      measurements.push({
        workload: job.workload,
        method: name,
        where: "vm",
        unit: "instructions",
        calls: run.calls,
        perRep: run.perRep,
        preloadStats:
          job.method.backend !== null ? parsePreloadStats(stderr, plan.reps + plan.warmup) : null,
      });
    } catch (err) {
      skipped.push({
        where: "vm",
        method: name,
        workload: job.workload,
        reason: err instanceof Error ? err.message : String(err),
      });
    }
  });
  return { measurements, skipped, notes, kernel };
}
