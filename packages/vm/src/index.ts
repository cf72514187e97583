// @dbatch/vm: boots Debian's kernels in qemu (TCG) with a busybox initramfs,
// runs commands in them, and reports their output and the kernel's health.
// See packages/vm/README.md.
export { findKernelProblems, problemsByCommand } from "./console.ts";
export { VM_INFRA_EXIT_CODE, VmError } from "./errors.ts";
export {
  buildGuestProgram,
  fitFixedPlusPerCall,
  parseBenchLines,
  runIcountBench,
  type BenchRecord,
  type IcountBenchOptions,
  type IcountBenchResult,
  type IcountRun,
} from "./icount.ts";
export { canonicalGuestPath } from "./initramfs.ts";
export { isMainModule } from "./is-main.ts";
export {
  DEFAULT_KERNEL_LINE,
  installedKernels,
  kernelBuildDir,
  kernelCacheDir,
  moduleClosure,
  resolveKernel,
  type VmKernel,
} from "./kernels.ts";
export { buildExternalModule, buildModuleCopy } from "./module-build.ts";
export { cacheDir, MODULE_GUEST_DIR, PRELOAD_GUEST_PATH, TEST_MODULE_DIR, vmDir } from "./paths.ts";
export { runInVm, runVmShell } from "./run.ts";
export { shellQuote } from "./shell.ts";
export { parseVmArgs, vmMain, vmUsage, type VmMainDeps } from "./cli.ts";
export type {
  ModuleBuilder,
  VmCommand,
  VmCommandResult,
  VmFile,
  VmModule,
  VmOptions,
  VmResult,
} from "./types.ts";
