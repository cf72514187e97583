import { parseArgs } from "node:util";
import type { ParseArgsConfig } from "node:util";
import { CliError, flagErrorMessage } from "../errors.ts";
import { parseWholeNumberFlag } from "../whole-number.ts";

/** Split `a b -- c d` at the first `--`: the part after it belongs to the program. */
export function splitAtDashDash(argv: readonly string[]): { own: string[]; rest: string[] } {
  const at = argv.indexOf("--");
  if (at < 0) return { own: [...argv], rest: [] };
  return { own: argv.slice(0, at), rest: argv.slice(at + 1) };
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** parseArgs with errors turned into usage errors naming the subcommand. */
export function parseCommandArgs<T extends Options>(command: string, argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError(
      `dbatch ${command}: ${flagErrorMessage(err)}\nTry 'dbatch ${command} --help'.`,
    );
  }
}

export function parseMinRun(value: string | undefined): number {
  return parseWholeNumberFlag("dbatch", "--min-run", value) ?? 2;
}

export function say(line: string): void {
  process.stderr.write(`dbatch: ${line}\n`);
}
