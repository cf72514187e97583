// Runs the workloads on the host: one process per method and round, methods
// interleaved round by round so that drift in the machine's load hits them alike.

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PreloadState } from "./build.ts";
import { methodSpec, type MethodSpec } from "./methods.ts";
import { parsePreloadStats, parseProgramOutput } from "./program-output.ts";
import { failureText, runProcess } from "./process.ts";
import type { Progress } from "./progress.ts";
import type { Measurement, MethodName, PreloadStats, Skipped, WorkloadName } from "./types.ts";

export interface HostPlan {
  program: string;
  preload: PreloadState;
  workloads: readonly WorkloadName[];
  methods: readonly MethodName[];
  calls: number;
  reps: number;
  warmup: number;
  rounds: number;
}

export interface HostOutcome {
  measurements: Measurement[];
  skipped: Skipped[];
  /** The tmpfs-like directory the file workloads ran in. */
  scratchBase: string;
}

/** /dev/shm when it is there (tmpfs), else the system's temporary directory. */
export function scratchBase(): string {
  return existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
}

/** An environment without any inherited dBatch or preload settings. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === "LD_PRELOAD" || key.startsWith("DBATCH_")) continue;
    env[key] = value;
  }
  return env;
}

export function methodEnv(method: MethodSpec, preloadPath: string | null): NodeJS.ProcessEnv {
  const env = cleanEnv();
  if (method.backend !== null && preloadPath !== null) {
    env["LD_PRELOAD"] = preloadPath;
    env["DBATCH_BACKEND"] = method.backend;
    env["DBATCH_STATS"] = "1";
    Object.assign(env, method.env);
  }
  return env;
}

/** Splits reps into rounds of nearly equal size. */
export function splitRounds(reps: number, rounds: number): number[] {
  const n = Math.max(1, Math.min(rounds, reps));
  return Array.from({ length: n }, (_, i) => Math.floor(reps / n) + (i < reps % n ? 1 : 0));
}

export async function runHost(plan: HostPlan, progress: Progress): Promise<HostOutcome> {
  const measurements: Measurement[] = [];
  const skipped: Skipped[] = [];
  const base = scratchBase();
  for (const workload of plan.workloads) {
    const runnable: MethodSpec[] = [];
    for (const name of plan.methods) {
      const method = methodSpec(name);
      if (!method.where.includes("host") || !method.appliesTo(workload)) continue;
      if (method.backend !== null && !plan.preload.ok) {
        skipped.push({ where: "host", method: name, workload, reason: plan.preload.reason });
        continue;
      }
      runnable.push(method);
    }
    const perRep = new Map<MethodName, number[]>();
    const stats = new Map<MethodName, PreloadStats | null>();
    const entries = new Map<MethodName, number>();
    const failed = new Set<MethodName>();
    let calls = 0;
    const rounds = splitRounds(plan.reps, plan.rounds);
    const dir = mkdtempSync(join(base, `dbatch-bench-${workload}-`));
    try {
      for (const [round, reps] of rounds.entries()) {
        const order = runnable.map((_, i) => runnable[(i + round) % runnable.length] as MethodSpec);
        for (const method of order) {
          if (failed.has(method.name)) continue;
          progress(
            `host ${workload} ${method.name} (round ${round + 1}/${rounds.length}, ${reps} reps)`,
          );
          const preloadPath = plan.preload.ok ? plan.preload.path : null;
          const args = [
            workload,
            method.mode,
            String(plan.calls),
            String(reps),
            String(plan.warmup),
            dir,
          ];
          const result = await runProcess(plan.program, args, {
            env: methodEnv(method, preloadPath),
            timeoutMs: 600_000,
          });
          if (result.code !== 0) {
            failed.add(method.name);
            skipped.push({
              where: "host",
              method: method.name,
              workload,
              reason: `benchmark failed: ${failureText(result)}`,
            });
            continue;
          }
          const run = parseProgramOutput(result.stdout);
          calls = run.calls;
          perRep.set(method.name, [...(perRep.get(method.name) ?? []), ...run.perRep]);
          if (run.kernelEntries !== null && !entries.has(method.name))
            entries.set(method.name, run.kernelEntries);
          if (method.backend !== null)
            stats.set(
              method.name,
              parsePreloadStats(result.stderr, reps + plan.warmup + run.countedReps),
            );
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    for (const method of runnable) {
      const reps = perRep.get(method.name);
      if (!reps || failed.has(method.name)) continue;
      measurements.push({
        workload,
        method: method.name,
        where: "host",
        unit: "ns",
        calls,
        perRep: reps,
        preloadStats: stats.get(method.name) ?? null,
        kernelEntries: entries.get(method.name) ?? null,
      });
    }
  }
  return { measurements, skipped, scratchBase: base };
}
