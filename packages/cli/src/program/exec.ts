import { spawn, type StdioOptions } from "node:child_process";
import { fstatSync } from "node:fs";
import { constants } from "node:os";

export interface ExecOptions {
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  argv0?: string;
}

export interface ExecOutcome {
  /** The exit code a shell would report: the status, or 128+N for signal N. */
  code: number;
  signal: NodeJS.Signals | null;
}

const FORWARDED: NodeJS.Signals[] = ["SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"];

/**
 * The fds above 2 our caller passed us (bin/dbatch notes them in
 * DBATCH_INHERITED_FDS before Node marks them close-on-exec) that are still
 * open: each goes to the program under its own number, as a shell would.
 */
export function inheritedStdio(env: NodeJS.ProcessEnv = process.env): StdioOptions {
  const fds = (env["DBATCH_INHERITED_FDS"] ?? "")
    .split(/\s+/)
    .map(Number)
    .filter((fd) => Number.isInteger(fd) && fd > 2 && fd < 256)
    .filter((fd) => {
      try {
        fstatSync(fd);
        return true;
      } catch {
        return false;
      }
    });
  const stdio: StdioOptions = ["inherit", "inherit", "inherit"];
  const top = Math.max(2, ...fds);
  for (let fd = 3; fd <= top; fd++) stdio.push(fds.includes(fd) ? fd : "ignore");
  return stdio;
}

/**
 * Run a program with our stdin, stdout and stderr, and the fds above 2 our
 * caller passed, like a shell would. A
 * terminal's Ctrl-C reaches the child directly (same process group), so we
 * only ignore SIGINT while it runs; other signals sent to us are passed on.
 */
export function execProgram(path: string, options: ExecOptions): Promise<ExecOutcome> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(path, [...options.args], {
      stdio: inheritedStdio(),
      env: options.env,
      cwd: options.cwd,
      argv0: options.argv0 ?? path,
    });
    const ignoreInt = (): void => {};
    const forwarders = new Map<NodeJS.Signals, () => void>();
    process.on("SIGINT", ignoreInt);
    for (const sig of FORWARDED) {
      const forward = (): void => void child.kill(sig);
      forwarders.set(sig, forward);
      process.on(sig, forward);
    }
    const cleanup = (): void => {
      process.off("SIGINT", ignoreInt);
      for (const [sig, fn] of forwarders) process.off(sig, fn);
    };
    child.on("error", (err) => {
      cleanup();
      reject(err);
    });
    child.on("close", (status, signal) => {
      cleanup();
      if (signal) resolvePromise({ code: 128 + (constants.signals[signal] ?? 0), signal });
      else resolvePromise({ code: status ?? 1, signal: null });
    });
  });
}
