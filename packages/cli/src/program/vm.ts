import { pathToFileURL } from "node:url";
import { CliError, EXIT_USAGE } from "../errors.ts";
import { hasVmRig, vmRigModule } from "../paths.ts";

/** The part of packages/kmod/vm/rig.ts that the CLI uses. */
export interface RigCommand {
  run: string;
  user?: "root" | "user";
  timeoutSeconds?: number;
  env?: Record<string, string>;
  cwd?: string;
  stdin?: string | Buffer | NodeJS.ReadableStream;
  stderr?: "merge" | "separate";
}

export interface RigOptions {
  commands: RigCommand[];
  files?: { hostPath: string; guestPath: string; mode?: number }[];
  loadModule?: boolean;
  preload?: boolean;
  /** A kernel line ("6.12", "6.12-rt"), version or image path; see the rig's resolveKernel. */
  kernel?: string;
  share?: { hostPath: string; guestPath: string };
  timeoutSeconds?: number;
  onOutput?: (index: number, chunk: string) => void;
  onStderr?: (index: number, chunk: string) => void;
}

export interface RigResult {
  results: { exitCode: number; output: string; timedOut: boolean }[];
  problems: string[];
  errors: string[];
  ok: boolean;
  kernelVersion: string;
  bootSeconds: number;
  modulesLoaded: string[];
}

/** Exit code for a VM that failed (qemu, timeout, insmod, a kernel problem), as the rig's CLI uses. */
export const VM_FAILURE = 125;

export type RunInVm = (options: RigOptions) => Promise<RigResult>;

/** Where the preload library is in the guest (the rig's PRELOAD_GUEST_PATH). */
export const GUEST_PRELOAD = "/opt/dbatch/libdbatch-preload.so";

export async function loadRig(): Promise<RunInVm> {
  if (!hasVmRig()) {
    throw new CliError(
      `dbatch: the VM rig is not there (${vmRigModule}); it comes with packages/kmod`,
      EXIT_USAGE,
    );
  }
  const mod: unknown = await import(pathToFileURL(vmRigModule).href);
  if (typeof mod === "object" && mod !== null && "runInVm" in mod) {
    const fn: unknown = (mod as { runInVm: unknown }).runInVm;
    if (typeof fn === "function") return fn as RunInVm;
  }
  throw new CliError(`dbatch: ${vmRigModule} does not export runInVm()`, EXIT_USAGE);
}

export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Run the rig, streaming the command's stdout to our stdout and its stderr
 * (for a command with stderr: "separate") to our stderr.
 */
export async function runInVmStreaming(
  options: Omit<RigOptions, "onOutput" | "onStderr">,
): Promise<{ code: number; result: RigResult }> {
  const runInVm = await loadRig();
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
    return { code: VM_FAILURE, result };
  return { code: last.exitCode, result };
}
