// The two ways to boot: run commands and power off, or an interactive shell.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VM_INFRA_EXIT_CODE } from "./errors.ts";
import { prepare } from "./prepare.ts";
import { boot, findQemu, qemuBaseArgs } from "./qemu.ts";
import type { VmOptions, VmResult } from "./types.ts";

/** Boots the VM once, runs the commands in order, and powers it off. */
export async function runInVm(options: VmOptions): Promise<VmResult> {
  const t0 = Date.now();
  const prep = prepare(options, null);
  const work = mkdtempSync(join(tmpdir(), "dbatch-vm-"));
  try {
    const initrd = join(work, "initrd.img");
    writeFileSync(initrd, prep.initrd);
    return await boot({ ...prep, options, initrd, work, t0 });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Interactive: boots the VM with a shell on the console (the terminal, via
 * stdin/stdout; Ctrl-A X quits qemu), after the files, modules and commands
 * of options (commands run first, their output is not shown). Resolves to
 * qemu's exit status when the shell exits (the VM powers off).
 */
export async function runVmShell(
  options: Omit<VmOptions, "onOutput" | "onStderr" | "onConsole">,
  user: "root" | "user" = "root",
): Promise<number> {
  const prep = prepare(options, user);
  const work = mkdtempSync(join(tmpdir(), "dbatch-vm-"));
  try {
    const initrd = join(work, "initrd.img");
    writeFileSync(initrd, prep.initrd);
    const args = [
      ...qemuBaseArgs(options, prep.bootImage, initrd, "loglevel=4"),
      "-serial",
      "mon:stdio",
      "-chardev",
      "null,id=ctl",
      "-serial",
      "chardev:ctl",
      "-chardev",
      "null,id=err",
      "-serial",
      "chardev:err",
    ];
    const child = spawn(findQemu(), args, { stdio: "inherit" });
    return await new Promise<number>((res) => {
      child.on("error", () => res(VM_INFRA_EXIT_CODE));
      child.on("close", (code) => res(code ?? VM_INFRA_EXIT_CODE));
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
