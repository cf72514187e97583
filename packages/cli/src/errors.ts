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

/** Node's system errors carry a `code` such as ENOENT. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err === "object" && err !== null && "code" in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}
