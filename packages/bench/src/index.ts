// `dbatch bench`: the entry point the dbatch dispatcher calls.

import { shellQuote } from "@dbatch/vm";
import { writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { ensureBenchProgram, ensurePreload } from "./build.ts";
import { runHost } from "./host-runner.ts";
import { buildReport, reportJson } from "./json.ts";
import { machineInfo } from "./machine.ts";
import { dropFallbacks } from "./backend-check.ts";
import { renderMarkdown } from "./markdown.ts";
import { parseBenchArgs, usage, UsageError, type BenchOptions } from "./options.ts";
import { runCounters, type CounterReport } from "./perf-counters.ts";
import { renderPlot } from "./plot.ts";
import { stderrProgress } from "./progress.ts";
import { measureLargeFile } from "./large-file.ts";
import { measureStartup, type StartupCommands, type StartupReport } from "./startup.ts";
import type { BenchRun } from "./run.ts";
import { renderNotes, renderText } from "./table.ts";
import { judgeTargets } from "./targets.ts";
import type { Measurement, Skipped } from "./types.ts";
import { runVm } from "./vm-runner.ts";

export type { BenchRun } from "./run.ts";
export type { StartupCommands } from "./startup.ts";
export type { BenchReport, MethodResult, WorkloadReport } from "./types.ts";

/** Measures everything the options ask for; no output but progress. */
export async function runBench(
  options: BenchOptions,
  argv: readonly string[],
  startupCommands: StartupCommands | null = null,
): Promise<BenchRun> {
  const progress = stderrProgress(!options.quiet);
  progress("building the benchmark program and the preload library");
  const program = await ensureBenchProgram();
  const preload = await ensurePreload();
  const measurements: Measurement[] = [];
  const skipped: Skipped[] = [];
  const notes: string[] = [];
  if (preload.ok && preload.note) notes.push(preload.note);
  const plan = {
    program,
    preload,
    workloads: options.workloads,
    methods: options.methods,
    reps: options.reps,
    warmup: options.warmup,
  };
  if (options.host) {
    for (const calls of options.sweep) {
      const host = await runHost({ ...plan, calls, rounds: options.rounds }, progress);
      measurements.push(...host.measurements);
      skipped.push(...host.skipped);
    }
  } else {
    skipped.push({ where: "host", method: "all", workload: "all", reason: "--no-host" });
  }
  let counters: CounterReport | null = null;
  if (options.host && options.perf) {
    counters = await runCounters(
      {
        program,
        preload,
        methods: options.methods,
        calls: options.sweep[0] ?? options.calls,
        reps: options.reps,
      },
      progress,
    );
  }
  let startup: StartupReport | null = null;
  // Skipped (--no-host, --no-startup): the targets say "not measured".
  if (options.host && options.startup) {
    if (startupCommands === null) {
      notes.push("start-up not measured: run through `dbatch bench`, which knows its binaries");
    } else {
      progress("timing start-up: dbatch and dbatch-transform against prettier");
      startup = measureStartup(startupCommands, Math.min(options.reps, 11));
      if (options.largeMb > 0) {
        progress(
          `dbatch-transform on a ${options.largeMb} MB file: peak memory (--check, --write)`,
        );
        try {
          startup.largeFile = measureLargeFile(startupCommands.transform, options.largeMb);
        } catch (err) {
          notes.push(
            `large file not measured: ${err instanceof Error ? err.message : String(err)}`,
          );
        }
      }
    }
  }
  let vmKernel: string | null = null;
  if (options.vm) {
    const vm = await runVm({ ...plan, callCounts: options.sweep }, progress);
    measurements.push(...vm.measurements);
    skipped.push(...vm.skipped);
    notes.push(...vm.notes);
    vmKernel = vm.kernel;
  } else {
    skipped.push({
      where: "vm",
      method: "all",
      workload: "all",
      reason: "--no-vm (guest instruction counts and the kmod backend are measured in the VM only)",
    });
  }
  const honest = dropFallbacks(measurements, skipped);
  const machine = machineInfo({
    preload: preload.ok ? "built" : `missing: ${preload.reason}`,
    hardwareCounters:
      counters === null
        ? "not measured"
        : counters.unsupportedReason === null
          ? "supported"
          : "not supported (see the hardware counters section)",
    vmKernel,
  });
  const built = buildReport(machine, honest);
  skipped.push(...built.skipped);
  return {
    command: ["pnpm", "exec", "dbatch", "bench", ...argv].map(shellQuote).join(" "),
    callCounts: options.sweep,
    reps: options.reps,
    warmup: options.warmup,
    rounds: options.rounds,
    report: startup ? { ...built.report, startup } : built.report,
    measurements: honest,
    skipped,
    notes,
    counters,
    startup,
    targets: judgeTargets(built.report, startup),
  };
}

/** `dbatch bench ARGS`: prints the table (or JSON), writes the plot/Markdown; returns the exit code. */
export async function runBenchCommand(
  argv: string[],
  startupCommands: StartupCommands | null = null,
): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`dbatch bench: ${err.message}\n\n${usage}`);
      return 2;
    }
    throw err;
  }
  if (options.help) {
    process.stdout.write(usage);
    return 0;
  }
  try {
    const run = await runBench(options, argv, startupCommands);
    if (run.report.workloads.length === 0) {
      for (const line of renderNotes(run).split("\n"))
        process.stderr.write(`dbatch bench: ${line}\n`);
      process.stderr.write("dbatch bench: error: nothing could be measured\n");
      return 1;
    }
    if (options.plot !== null) {
      writeFileSync(options.plot, await renderPlot(run));
    }
    if (options.markdown !== null) {
      const plotLink =
        options.plot === null
          ? null
          : relative(dirname(resolve(options.markdown)), resolve(options.plot));
      writeFileSync(options.markdown, renderMarkdown(run, { plotLink }));
    }
    process.stdout.write(options.json ? reportJson(run.report) : renderText(run));
    if (options.json) {
      for (const s of run.skipped)
        process.stderr.write(
          `dbatch bench: not measured: ${s.where} ${s.method} ${s.workload}: ${s.reason}\n`,
        );
      for (const t of run.targets)
        process.stderr.write(
          `dbatch bench: target ${t.verdict}: ${t.name}: ${t.goal}: ${t.measured}\n`,
        );
    }
    return 0;
  } catch (err) {
    process.stderr.write(
      `dbatch bench: error: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return 1;
  }
}
