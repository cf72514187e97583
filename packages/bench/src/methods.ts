// The methods compared: how the same workload is run.

import type { MethodName, Where, WorkloadName } from "./types.ts";
import { workloadSpec } from "./workloads.ts";

export type ProgramMode = "batch" | "writev" | "record" | "ioctl" | "liburing";

export interface MethodSpec {
  name: MethodName;
  /** The C program's mode argument. */
  mode: ProgramMode;
  /** DBATCH_BACKEND under LD_PRELOAD, or null: no preload library at all. */
  backend: string | null;
  /** Where the method can run. */
  where: readonly Where[];
  /** Needs batch.ko loaded in the VM. */
  needsModule: boolean;
  /** Measured when --methods is not given. */
  byDefault: boolean;
  describe: string;
  appliesTo(workload: WorkloadName): boolean;
}

export const methods: readonly MethodSpec[] = [
  {
    name: "plain",
    mode: "batch",
    backend: null,
    where: ["host", "vm"],
    needsModule: false,
    byDefault: true,
    describe: "the program as written, no preload library (the baseline)",
    appliesTo: () => true,
  },
  {
    name: "off",
    mode: "batch",
    backend: "off",
    where: ["host", "vm"],
    needsModule: false,
    byDefault: true,
    describe:
      "preloaded, DBATCH_BACKEND=off (windows ignored: the interposer's cost when it does nothing)",
    appliesTo: () => true,
  },
  {
    name: "emulate",
    mode: "batch",
    backend: "emulate",
    where: ["host", "vm"],
    needsModule: false,
    byDefault: true,
    describe: "preloaded, DBATCH_BACKEND=emulate (recorded, then run one by one)",
    appliesTo: () => true,
  },
  {
    name: "uring",
    mode: "batch",
    backend: "uring",
    where: ["host", "vm"],
    needsModule: false,
    byDefault: true,
    describe: "preloaded, DBATCH_BACKEND=uring (one io_uring_enter per flush)",
    appliesTo: () => true,
  },
  {
    name: "kmod",
    mode: "batch",
    backend: "kmod",
    where: ["vm"],
    needsModule: true,
    byDefault: true,
    describe: "preloaded, DBATCH_BACKEND=kmod (/dev/batch, one ioctl per flush; VM only)",
    appliesTo: () => true,
  },
  {
    name: "writev",
    mode: "writev",
    backend: null,
    where: ["host", "vm"],
    needsModule: false,
    byDefault: true,
    describe: "one writev() of all the buffers (the floor for vectorisable writes)",
    appliesTo: (w) => workloadSpec(w).hasWritevFloor,
  },
  {
    name: "record",
    mode: "record",
    backend: "emulate",
    where: ["host", "vm"],
    needsModule: false,
    byDefault: true,
    describe: "preloaded, the recording alone (deferred calls timed, flush not timed)",
    appliesTo: (w) => w === "seed",
  },
  {
    name: "ioctl",
    mode: "ioctl",
    backend: null,
    where: ["vm"],
    needsModule: true,
    byDefault: false,
    describe:
      "one raw DBATCH_IOC_SUBMIT of prebuilt entries, no preload library (the module's own cost; VM only)",
    appliesTo: (w) => workloadSpec(w).hasIoctl,
  },
  {
    name: "liburing",
    mode: "liburing",
    backend: null,
    where: ["host", "vm"],
    needsModule: false,
    byDefault: false,
    describe:
      "raw liburing: one write SQE per call, one io_uring_submit_and_wait (no preload library)",
    appliesTo: (w) => workloadSpec(w).hasLiburing,
  },
];

export const methodNames: readonly MethodName[] = methods.map((m) => m.name);
export const defaultMethods: readonly MethodName[] = methods
  .filter((m) => m.byDefault)
  .map((m) => m.name);

export function methodSpec(name: MethodName): MethodSpec {
  const spec = methods.find((m) => m.name === name);
  if (!spec) throw new Error(`unknown method ${name}`);
  return spec;
}
