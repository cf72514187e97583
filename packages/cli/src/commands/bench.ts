import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CliError, EXIT_USAGE } from "../errors.ts";
import { cliDir } from "../paths.ts";

/** `dbatch bench ...` is implemented in src/bench/ (issue 6): `runBenchCommand(argv)`. */
export async function benchCommand(argv: string[]): Promise<number> {
  const entry = join(cliDir, "src", "bench", "index.ts");
  if (!existsSync(entry))
    throw new CliError("dbatch bench: the benchmarks (src/bench) are not there yet", EXIT_USAGE);
  const mod: unknown = await import(pathToFileURL(entry).href);
  if (typeof mod === "object" && mod !== null && "runBenchCommand" in mod) {
    const run: unknown = (mod as { runBenchCommand: unknown }).runBenchCommand;
    if (typeof run === "function") {
      const code: unknown = await (run as (args: readonly string[]) => Promise<unknown>)(argv);
      return typeof code === "number" ? code : 1;
    }
  }
  throw new CliError(`dbatch bench: ${entry} does not export runBenchCommand()`, EXIT_USAGE);
}
