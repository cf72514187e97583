import { runInVm, VM_INFRA_EXIT_CODE, type VmOptions, type VmResult } from "@dbatch/vm";

/**
 * Run the rig, streaming the command's stdout to our stdout and its stderr
 * (for a command with stderr: "separate") to our stderr.
 */
export async function runInVmStreaming(
  options: Omit<VmOptions, "onOutput" | "onStderr">,
): Promise<{ code: number; result: VmResult }> {
  const result = await runInVm({
    ...options,
    onOutput: (_i, chunk) => void process.stdout.write(chunk),
    onStderr: (_i, chunk) => void process.stderr.write(chunk),
  });
  for (const e of result.errors)
    process.stderr.write(`dbatch: ${e.replace(/^dbatch-vm: /, "vm: ")}\n`);
  for (const p of result.problems) process.stderr.write(`dbatch: kernel problem in the VM: ${p}\n`);
  const last = result.results[result.results.length - 1];
  if (last === undefined || last.exitCode < 0 || result.problems.length > 0)
    return { code: VM_INFRA_EXIT_CODE, result };
  return { code: last.exitCode, result };
}
