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
  /** More of the library's variables, with the backend. */
  env: Readonly<Record<string, string>>;
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
    env: {},
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
    env: {},
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
    env: {},
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
    env: {},
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
    env: {},
    where: ["vm"],
    needsModule: true,
    byDefault: true,
    describe: "preloaded, DBATCH_BACKEND=kmod (/dev/batch, one ioctl per flush; VM only)",
    appliesTo: () => true,
  },
  {
    name: "kmod-always",
    mode: "batch",
    backend: "kmod",
    env: { DBATCH_KMOD_ALWAYS: "1" },
    where: ["vm"],
    needsModule: true,
    byDefault: true,
    describe:
      "kmod with DBATCH_KMOD_ALWAYS=1: every batch to the module, even where its cost rule runs it as plain calls (the module's own cost)",
    appliesTo: () => true,
  },
  {
    name: "uring-always",
    mode: "batch",
    backend: "uring",
    env: { DBATCH_URING_ALWAYS: "1" },
    where: ["host", "vm"],
    needsModule: false,
    byDefault: true,
    describe:
      "uring with DBATCH_URING_ALWAYS=1: every batch to the ring, even where its cost rule runs it as plain calls",
    appliesTo: () => true,
  },
  {
    name: "writev",
    mode: "writev",
    backend: null,
    env: {},
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
    env: {},
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
    env: {},
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
    env: {},
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
