// Shared shapes of a benchmark run: what is measured, and what is reported.

import type { StartupReport } from "./startup.ts";

export type Where = "host" | "vm";
export type Unit = "ns" | "instructions";
export type WorkloadName =
  | "seed"
  | "tmpfs"
  | "files"
  | "unlink"
  | "alt"
  | "badfd"
  | "lseek"
  | "refused"
  | "example"
  | "logrotate";
export type MethodName =
  | "plain"
  | "off"
  | "emulate"
  | "uring"
  | "uring-always"
  | "kmod"
  | "kmod-always"
  | "writev"
  | "record"
  | "ioctl"
  | "liburing";

/** One method measured on one workload in one place: the raw repetitions. */
export interface Measurement {
  workload: WorkloadName;
  method: MethodName;
  where: Where;
  unit: Unit;
  /** System calls per repetition. */
  calls: number;
  /** Cost of each timed repetition (ns on the host, guest instructions in the VM). */
  perRep: number[];
  /** The preload library's own account (DBATCH_STATS=1), when it printed one. */
  preloadStats: PreloadStats | null;
  /** System calls per repetition, counted by the kernel; null: not countable here. */
  kernelEntries: number | null;
}

/** DBATCH_STATS=1's line, divided by the repetitions the process ran (warm-up included). */
export interface PreloadStats {
  backend: string;
  recordedPerRep: number;
  flushesPerRep: number;
  kernelEntriesPerRep: number;
}

/** One row of the JSON report. */
export interface MethodResult {
  method: MethodName;
  where: Where;
  unit: Unit;
  perCall: number;
  min: number;
  median: number;
  max: number;
  speedup: number;
  /** System calls per repetition counted by the kernel (raw_syscalls tracepoint), or null. */
  kernelEntries: number | null;
}

export interface WorkloadReport {
  name: WorkloadName;
  calls: number;
  results: MethodResult[];
}

export type MachineInfo = Record<string, string | number | boolean | null>;

/** cost per repetition ~= fixed + perCall * calls, fitted over a --sweep. */
export interface CostFit {
  workload: WorkloadName;
  method: MethodName;
  where: Where;
  unit: Unit;
  fixed: number;
  perCall: number;
  /** Coefficient of determination of the least-squares fit. */
  r2: number;
  /** The call counts fitted. */
  points: number;
}

/** The `--json` document. */
export interface BenchReport {
  machine: MachineInfo;
  workloads: WorkloadReport[];
  /** Present with --sweep: one fit per workload, method and place. */
  fits?: CostFit[];
  /** Present when start-up was timed (host, through `dbatch bench`). */
  startup?: StartupReport;
}

/** A method that could not be measured, and why (always shown, never skipped silently). */
export interface Skipped {
  where: Where;
  method: MethodName | "all";
  workload: WorkloadName | "all";
  reason: string;
}
