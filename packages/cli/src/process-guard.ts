import { EXIT_USAGE, errnoCode } from "./errors.ts";

/**
 * Common process behaviour of both binaries: a closed stdout (`| head`) ends
 * the process quietly instead of with a stack trace, and an unexpected
 * exception exits 2 with one line, never 1 (which means "would change" or
 * "the program failed").
 */
export function guardProcess(name: string): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err) => {
      if (errnoCode(err) === "EPIPE") process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  const fail = (err: unknown): void => {
    const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`${name}: internal error: ${text}\n`);
    process.exit(EXIT_USAGE);
  };
  process.on("uncaughtException", fail);
  process.on("unhandledRejection", fail);
}
