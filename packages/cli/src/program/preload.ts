import { ensurePreloadBuilt, PreloadBuildError } from "@dbatch/preload";
import { CliError, EXIT_USAGE } from "../errors.ts";

/**
 * The preload library, built first (with a one-line notice) when it is
 * missing or older than its sources.
 */
export function ensurePreloadLib(): string {
  try {
    return ensurePreloadBuilt((line) => void process.stderr.write(`dbatch: ${line}\n`));
  } catch (e) {
    if (e instanceof PreloadBuildError) throw new CliError(`dbatch: ${e.message}`, EXIT_USAGE);
    throw e;
  }
}
