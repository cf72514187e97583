// Runs the workloads inside the qemu VM with -icount shift=0 (guest clock =
// instructions), through the kmod package's rig: one boot for everything.

import { existsSync } from "node:fs";
import type { PreloadState } from "./build.ts";
import { vmRigModule } from "./paths.ts";
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

export async function runVm(plan: VmPlan, progress: Progress): Promise<VmOutcome> {
  void plan;
  void progress;
  if (!existsSync(vmRigModule)) {
    return {
      measurements: [],
      skipped: [
        {
          where: "vm",
          method: "all",
          workload: "all",
          reason: "the VM rig is missing (packages/kmod/vm/rig.ts not found)",
        },
      ],
      notes: [],
      kernel: null,
    };
  }
  return {
    measurements: [],
    skipped: [{ where: "vm", method: "all", workload: "all", reason: "VM runner not wired yet" }],
    notes: [],
    kernel: null,
  };
}
