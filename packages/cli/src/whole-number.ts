import { CliError } from "./errors.ts";

/**
 * A flag's value as a whole number >= 1, or null when the flag was not given.
 * `program` prefixes the error (dbatch or dbatch-transform), which is a usage error.
 */
export function parseWholeNumberFlag(
  program: string,
  flag: string,
  value: string | undefined,
): number | null {
  if (value === undefined) return null;
  if (!/^[0-9]+$/.test(value) || Number(value) < 1) {
    throw new CliError(`${program}: ${flag} wants a whole number >= 1, got '${value}'`);
  }
  return Number(value);
}
