/** Exit codes shared by both binaries (docs/design.md, "Command line"). */
export const EXIT_OK = 0;
export const EXIT_CHANGES = 1;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/**
 * An error the user can fix: bad flags, a missing file, a parse error.
 * The message is printed as is (it already names the file and line) and the
 * process exits with `exitCode`.
 */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT_USAGE) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * A node:util parseArgs error in dBatch's own words (its messages speak of
 * "ambiguous arguments" and "<value>"); any other error as it is.
 */
export function flagErrorMessage(err: unknown): string {
  const message = errorMessage(err);
  const option = /Option '(?:-\w, )?(--[\w-]+)/.exec(message)?.[1];
  const code = errnoCode(err);
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option) {
    if (/ambiguous/.test(message)) {
      return `${option} needs a value; a value starting with '-' is written ${option}=VALUE`;
    }
    if (/argument missing/.test(message)) return `${option} needs a value`;
    if (/does not take an argument/.test(message)) return `${option} takes no value`;
  }
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const unknown = /Unknown option '([^']+)'/.exec(message)?.[1];
    if (unknown) return `unknown option ${unknown}`;
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    const extra = /Unexpected argument '([^']+)'/.exec(message)?.[1];
    if (extra) return `unexpected argument ${extra}`;
  }
  return message.split("\n")[0] ?? message;
}

/** Node's system errors carry a `code` such as ENOENT. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err === "object" && err !== null && "code" in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}
