/** Thrown for setup errors (missing kernel/qemu/files) before the VM starts. */
export class VmError extends Error {
  override name = "VmError";
}

/**
 * Exit status of every command-line entry (dbatch vm, dbatch run --vm) for
 * a VM that failed: qemu, a timeout, insmod, a kernel problem on the console.
 */
export const VM_INFRA_EXIT_CODE = 125;
