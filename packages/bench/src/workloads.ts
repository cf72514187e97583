// The workloads: what the C program does per repetition.

import type { WorkloadName } from "./types.ts";

export interface WorkloadSpec {
  name: WorkloadName;
  /** One line for the table's heading. */
  describe(calls: number): string;
  /** Does one writev() of all the buffers express the same work (the floor)? */
  hasWritevFloor: boolean;
  /** Can raw io_uring write SQEs express it (liburing mode)? */
  hasLiburing: boolean;
  /** Can raw /dev/batch entries express it (ioctl mode)? */
  hasIoctl: boolean;
  /** Measured when --workloads is not given. */
  byDefault: boolean;
  /** The number of system calls per repetition the C program makes for a requested count. */
  actualCalls(requested: number): number;
}

const same = (n: number): number => n;

export const workloads: readonly WorkloadSpec[] = [
  {
    name: "seed",
    describe: (n) => `${n} x write(12 B) to /dev/null (the original dBatch experiment)`,
    hasWritevFloor: true,
    hasLiburing: true,
    hasIoctl: true,
    byDefault: true,
    actualCalls: same,
  },
  {
    name: "tmpfs",
    describe: (n) => `${n} x write(12 B) appended to one file on tmpfs`,
    hasWritevFloor: true,
    hasLiburing: true,
    hasIoctl: true,
    byDefault: true,
    actualCalls: same,
  },
  {
    name: "files",
    describe: (n) => `${n / 3} x (open, write 12 B, close) of files on tmpfs = ${n} calls`,
    hasWritevFloor: false,
    hasLiburing: false,
    hasIoctl: false,
    byDefault: true,
    actualCalls: (n) => Math.max(1, Math.floor(n / 3)) * 3,
  },
  {
    name: "unlink",
    describe: (n) => `${n} x unlink of files on tmpfs (made untimed before each repetition)`,
    hasWritevFloor: false,
    hasLiburing: false,
    hasIoctl: false,
    byDefault: true,
    actualCalls: same,
  },
  {
    name: "alt",
    describe: (n) => `${n} x write(12 B) alternating between two /dev/null fds (nothing to merge)`,
    hasWritevFloor: false,
    hasLiburing: true,
    hasIoctl: true,
    byDefault: true,
    actualCalls: same,
  },
  {
    name: "badfd",
    describe: (n) => `${n} x write to a closed fd (every call fails with EBADF)`,
    hasWritevFloor: false,
    hasLiburing: true,
    hasIoctl: true,
    byDefault: false,
    actualCalls: same,
  },
  {
    name: "lseek",
    describe: (n) => `${n} x lseek(/dev/null, 0, SEEK_CUR) (a trivial call)`,
    hasWritevFloor: false,
    hasLiburing: false,
    hasIoctl: true,
    byDefault: false,
    actualCalls: same,
  },
  {
    name: "refused",
    describe: (n) =>
      `${n} x getppid(), a call no backend batches (the module answers ENOSYS per entry: its loop alone)`,
    hasWritevFloor: false,
    hasLiburing: false,
    hasIoctl: true,
    byDefault: false,
    actualCalls: same,
  },
  {
    name: "example",
    describe: (n) =>
      `${Math.floor(n / 4)} x the seed README's example (open a new file, write 4 B to it and 4 B to /dev/null, close) = ${n} calls`,
    hasWritevFloor: false,
    hasLiburing: false,
    hasIoctl: false,
    byDefault: true,
    actualCalls: (n) => Math.max(1, Math.floor(n / 4)) * 4,
  },
  {
    name: "logrotate",
    describe: (n) =>
      `${Math.floor(n / 5)} x (open a log, write a line, fsync, close, rename over the last) = ${n} calls`,
    hasWritevFloor: false,
    hasLiburing: false,
    hasIoctl: false,
    byDefault: true,
    actualCalls: (n) => Math.max(1, Math.floor(n / 5)) * 5,
  },
];

export const workloadNames: readonly WorkloadName[] = workloads.map((w) => w.name);
export const defaultWorkloads: readonly WorkloadName[] = workloads
  .filter((w) => w.byDefault)
  .map((w) => w.name);

export function workloadSpec(name: WorkloadName): WorkloadSpec {
  const spec = workloads.find((w) => w.name === name);
  if (!spec) throw new Error(`unknown workload ${name}`);
  return spec;
}
