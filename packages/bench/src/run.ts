// One complete benchmark run: what the table, the JSON, the plot and the
// Markdown page are all made from.

import type { CounterReport } from "./perf-counters.ts";
import type { StartupReport } from "./startup.ts";
import type { TargetResult } from "./targets.ts";
import type { BenchReport, Measurement, Skipped } from "./types.ts";

export interface BenchRun {
  /** The command line that made the run, as a user would type it. */
  command: string;
  /** The call counts measured (one, or a --sweep). */
  callCounts: number[];
  reps: number;
  warmup: number;
  rounds: number;
  report: BenchReport;
  measurements: Measurement[];
  skipped: Skipped[];
  /** Other facts worth printing (e.g. a fallback, the VM's kernel). */
  notes: string[];
  counters: CounterReport | null;
  /** Start-up of the CLI against prettier, when measured. */
  startup: StartupReport | null;
  targets: TargetResult[];
}
