import { parseArgs } from "node:util";
import { CliError, flagErrorMessage } from "../errors.ts";
import { parseWholeNumberFlag } from "../whole-number.ts";
import { macroNamePattern } from "@dbatch/transform";

export type TransformMode = "write" | "check" | "diff" | "stdout";
export type ReportFormat = "text" | "json" | "sarif";

export interface TransformOptions {
  mode: TransformMode;
  report: ReportFormat | null;
  reportFile: string | null;
  minRun: number;
  jobs: number | null;
  /** Every parse warning on its own line (else one line per file). */
  verbose: boolean;
  /** The project's attribute-like macros, blanked for the parse. */
  macros: string[];
  /** Functions that never return (--noreturn), besides those the headers declare. */
  noreturn: string[];
  patterns: string[];
  help: boolean;
  version: boolean;
}

export const transformUsage = `Usage: dbatch-transform [--write | --check | --diff | --stdout]
                        [--report text|json|sarif] [--report-file PATH]
                        [--min-run N] [--jobs N] <files or globs...>

Insert batch_start(); ... batch_flush(); around runs of system calls whose
results the program ignores, and #include <dbatch.h> where needed.

Modes (one of):
  --write            rewrite the files in place, atomically (default)
  --check            write nothing; list the files that would change, exit 1 if any
  --diff             write nothing; print a unified diff of the changes
  --stdout           write nothing; print the transformed text of exactly one file

Report:
  --report FORMAT    text: one remark per run and per call site not batched,
                     like a compiler's optimisation remarks
                     json: every run and call site with its verdict and
                     reason id (docs/cli.md); sarif: SARIF 2.1.0 for code
                     scanning. With json or sarif, stdout carries only the
                     report. Without --report: only a summary line (stderr).
  --report-file PATH write the report to PATH instead of stdout

Options:
  --min-run N        call sites a run needs to be batched (default 2; a call
                     inside a loop is always enough)
  --jobs N           worker threads; by default one per core, and only when
                     the input is large enough to pay for starting them
  --macro NAME       the project's attribute-like macro NAME (an export or
                     annotation marker, with or without arguments) is read
                     as nothing, like __wur; repeat for more. Only macros
                     that expand to nothing a batch could observe
  --noreturn NAME    function NAME never returns (like exit or err): a
                     checked call whose failure branch calls it may be
                     batched; repeat for more. Declarations with noreturn
                     in the file and the headers next to it count already
  --verbose          a warning line for every syntax error (or macro) the
                     parser could not read; by default one line per file
  -h, --help         show this help
  -v, --version      print the version

Files are .c or .h files; quote globs ('src/**/*.c') to let dbatch-transform
expand them (node_modules and .git are skipped). Exit codes: 0 done,
1 --check found files to change, 2 usage or input error (nothing is written).
`;

export function parseTransformArgs(argv: string[]): TransformOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        write: { type: "boolean" },
        check: { type: "boolean" },
        diff: { type: "boolean" },
        stdout: { type: "boolean" },
        report: { type: "string" },
        "report-file": { type: "string" },
        "min-run": { type: "string" },
        jobs: { type: "string" },
        verbose: { type: "boolean" },
        macro: { type: "string", multiple: true },
        noreturn: { type: "string", multiple: true },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
    });
  } catch (err) {
    throw new CliError(
      `dbatch-transform: ${flagErrorMessage(err)}\nTry 'dbatch-transform --help'.`,
    );
  }
  const { values, positionals } = parsed;
  const modes: TransformMode[] = [];
  if (values.write) modes.push("write");
  if (values.check) modes.push("check");
  if (values.diff) modes.push("diff");
  if (values.stdout) modes.push("stdout");
  const help = values.help === true;
  const version = values.version === true;
  if (help || version) {
    return {
      mode: "write",
      report: null,
      reportFile: null,
      minRun: 2,
      jobs: null,
      verbose: false,
      macros: [],
      noreturn: [],
      patterns: [],
      help,
      version,
    };
  }
  if (modes.length > 1) {
    throw new CliError(
      `dbatch-transform: choose one of --write, --check, --diff, --stdout (got ${modes.map((m) => `--${m}`).join(", ")})`,
    );
  }
  const mode = modes[0] ?? "write";
  let report: ReportFormat | null = null;
  if (values.report !== undefined) {
    if (values.report !== "text" && values.report !== "json" && values.report !== "sarif") {
      throw new CliError(
        `dbatch-transform: --report wants text, json or sarif, got '${values.report}'`,
      );
    }
    report = values.report;
  }
  const reportFile = values["report-file"] ?? null;
  if (reportFile !== null && report === null) report = "text";
  const minRun = parseWholeNumberFlag("dbatch-transform", "--min-run", values["min-run"]) ?? 2;
  const jobs = parseWholeNumberFlag("dbatch-transform", "--jobs", values.jobs);
  const macros = values.macro ?? [];
  for (const name of macros) {
    if (!macroNamePattern.test(name))
      throw new CliError(`dbatch-transform: --macro wants a C identifier, got '${name}'`);
  }
  const noreturn = values.noreturn ?? [];
  for (const name of noreturn) {
    if (!macroNamePattern.test(name))
      throw new CliError(`dbatch-transform: --noreturn wants a C identifier, got '${name}'`);
  }
  if (positionals.length === 0) {
    throw new CliError("dbatch-transform: no files given\nTry 'dbatch-transform --help'.");
  }
  if (mode === "stdout" && positionals.length !== 1) {
    throw new CliError("dbatch-transform: --stdout takes exactly one file");
  }
  if (mode === "stdout" && (report === "json" || report === "sarif") && reportFile === null) {
    throw new CliError(
      `dbatch-transform: --stdout and --report ${report} both want stdout; add --report-file PATH`,
    );
  }
  return {
    mode,
    report,
    reportFile,
    minRun,
    jobs,
    verbose: values.verbose === true,
    macros,
    noreturn,
    patterns: positionals,
    help: false,
    version: false,
  };
}
