// Running a child process and collecting its output.

import { spawn } from "node:child_process";

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  spawnError: Error | null;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

export function runProcess(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<ProcessResult> {
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    let spawnError: Error | null = null;
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: options.timeoutMs,
      killSignal: "SIGKILL",
    });
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", (err) => {
      spawnError = err;
    });
    child.on("close", (code, signal) => {
      resolve({ code, signal, stdout, stderr, spawnError });
    });
  });
}

/** A one-line account of why a process failed, for messages. */
export function failureText(result: ProcessResult): string {
  if (result.spawnError) return result.spawnError.message;
  const how = result.signal ? `killed by ${result.signal}` : `exit ${result.code}`;
  const tail = result.stderr.trim().split("\n").slice(-3).join(" | ");
  return tail ? `${how}: ${tail}` : how;
}
