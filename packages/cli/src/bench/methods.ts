// The methods compared: how the same workload is run.

import type { MethodName, Where, WorkloadName } from "./types.ts";
import { workloadSpec } from "./workloads.ts";

export type ProgramMode = "batch" | "writev" | "record";

export interface MethodSpec {
  name: MethodName;
  /** The C program's mode argument. */
  mode: ProgramMode;
  /** DBATCH_BACKEND under LD_PRELOAD, or null: no preload library at all. */
  backend: string | null;
  /** Where the method can run. */
  where: readonly Where[];
  describe: string;
  appliesTo(workload: WorkloadName): boolean;
}

export const methods: readonly MethodSpec[] = [
  {
    name: "plain",
    mode: "batch",
    backend: null,
    where: ["host", "vm"],
    describe: "the program as written, no preload library (the baseline)",
    appliesTo: () => true,
  },
  {
    name: "off",
    mode: "batch",
    backend: "off",
    where: ["host", "vm"],
    describe:
      "preloaded, DBATCH_BACKEND=off (windows ignored: the interposer's cost when it does nothing)",
    appliesTo: () => true,
  },
  {
    name: "emulate",
    mode: "batch",
    backend: "emulate",
    where: ["host", "vm"],
    describe: "preloaded, DBATCH_BACKEND=emulate (recorded, then run one by one)",
    appliesTo: () => true,
  },
  {
    name: "uring",
    mode: "batch",
    backend: "uring",
    where: ["host", "vm"],
    describe: "preloaded, DBATCH_BACKEND=uring (one io_uring_enter per flush)",
    appliesTo: () => true,
  },
  {
    name: "kmod",
    mode: "batch",
    backend: "kmod",
    where: ["vm"],
    describe: "preloaded, DBATCH_BACKEND=kmod (/dev/batch, one ioctl per flush; VM only)",
    appliesTo: () => true,
  },
  {
    name: "writev",
    mode: "writev",
    backend: null,
    where: ["host", "vm"],
    describe: "one writev() of all the buffers (the floor for vectorisable writes)",
    appliesTo: (w) => workloadSpec(w).hasWritevFloor,
  },
  {
    name: "record",
    mode: "record",
    backend: "emulate",
    where: ["host", "vm"],
    describe: "preloaded, the recording alone (deferred calls timed, flush not timed)",
    appliesTo: (w) => w === "seed",
  },
];

export const methodNames: readonly MethodName[] = methods.map((m) => m.name);

export function methodSpec(name: MethodName): MethodSpec {
  const spec = methods.find((m) => m.name === name);
  if (!spec) throw new Error(`unknown method ${name}`);
  return spec;
}
