// The workloads: what the C program does per repetition.

import type { WorkloadName } from "./types.ts";

export interface WorkloadSpec {
  name: WorkloadName;
  /** One line for the table's heading. */
  describe(calls: number): string;
  /** Does one writev() of all the buffers express the same work (the floor)? */
  hasWritevFloor: boolean;
  /** The number of system calls per repetition the C program makes for a requested count. */
  actualCalls(requested: number): number;
}

export const workloads: readonly WorkloadSpec[] = [
  {
    name: "seed",
    describe: (n) => `${n} x write(12 B) to /dev/null (the original dBatch experiment)`,
    hasWritevFloor: true,
    actualCalls: (n) => n,
  },
  {
    name: "tmpfs",
    describe: (n) => `${n} x write(12 B) appended to one file on tmpfs`,
    hasWritevFloor: true,
    actualCalls: (n) => n,
  },
  {
    name: "files",
    describe: (n) => `${n / 3} x (open, write 12 B, close) of files on tmpfs = ${n} calls`,
    hasWritevFloor: false,
    actualCalls: (n) => Math.max(1, Math.floor(n / 3)) * 3,
  },
  {
    name: "unlink",
    describe: (n) => `${n} x unlink of files on tmpfs (made untimed before each repetition)`,
    hasWritevFloor: false,
    actualCalls: (n) => n,
  },
];

export const workloadNames: readonly WorkloadName[] = workloads.map((w) => w.name);

export function workloadSpec(name: WorkloadName): WorkloadSpec {
  const spec = workloads.find((w) => w.name === name);
  if (!spec) throw new Error(`unknown workload ${name}`);
  return spec;
}
