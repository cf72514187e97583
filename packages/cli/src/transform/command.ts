import { existsSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { CliError, EXIT_CHANGES, EXIT_OK, EXIT_USAGE, errorMessage } from "../errors.ts";
import { cliVersion } from "../version.ts";
import { parseTransformArgs, transformUsage } from "./args.ts";
import type { ReportFormat, TransformOptions } from "./args.ts";
import { expandInputs } from "./inputs.ts";
import type { DiagnosticInfo, FileResult } from "./job.ts";
import { Progress } from "./progress.ts";

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
}

export const processIo: Io = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  cwd: process.cwd(),
};

async function renderReport(
  format: ReportFormat,
  results: readonly FileResult[],
  cwd: string,
): Promise<string> {
  const files = (await import("./report-model.ts")).toFileReports(results);
  if (format === "json") return (await import("./report-json.ts")).renderJsonReport(files);
  if (format === "sarif") {
    return (await import("./report-sarif.ts")).renderSarifReport(files, cliVersion(), cwd);
  }
  return (await import("./report-text.ts")).renderTextReport(files);
}

/** Each input's size in bytes, read once (0 for one that cannot be: reported when read). */
function fileSizes(files: readonly string[], cwd: string): number[] {
  return files.map((f) => {
    try {
      return statSync(resolve(cwd, f)).size;
    } catch {
      return 0;
    }
  });
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Runs dbatch-transform and returns its exit code; never calls process.exit. */
export async function transformCommand(argv: string[], io: Io = processIo): Promise<number> {
  const started = Date.now();
  let options: TransformOptions;
  try {
    options = parseTransformArgs(argv);
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr(`${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
  if (options.help) {
    io.stdout(transformUsage);
    return EXIT_OK;
  }
  if (options.version) {
    io.stdout(`dbatch-transform ${cliVersion()}\n`);
    return EXIT_OK;
  }
  let files: string[];
  try {
    files = expandInputs(options.patterns, io.cwd);
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr(`${err.message}\ndbatch-transform: nothing written\n`);
      return err.exitCode;
    }
    throw err;
  }
  if (options.reportFile !== null) {
    const dir = dirname(resolve(io.cwd, options.reportFile));
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      io.stderr(
        `${options.reportFile}: error: cannot write the report: no directory ${dir}\ndbatch-transform: nothing written\n`,
      );
      return EXIT_USAGE;
    }
  }
  if (options.mode === "stdout" && files.length !== 1) {
    io.stderr(
      `dbatch-transform: --stdout takes exactly one file; the arguments name ${files.length}\n`,
    );
    return EXIT_USAGE;
  }

  const sizes = fileSizes(files, io.cwd);
  if (io === processIo) {
    const lean = await import("./lean-heap.ts");
    if (sizes.some((n) => n >= lean.leanHeapFileBytes)) {
      const code = lean.rerunWithLeanHeap();
      if (code !== null) return code;
    }
  }

  // Loaded only now: --help, --version and usage errors stay quick.
  const { defaultJobs, transformAll, workersWorthwhile } = await import("./pool.ts");
  const { writeFileAtomic } = await import("./atomic-write.ts");
  const { unifiedDiff } = await import("./diff.ts");
  const { collectGarbage, editedPieces } = await import("@dbatch/transform");
  const { summarise } = await import("./report-model.ts");
  const progress = new Progress(files.length);
  const jobs = options.jobs ?? defaultJobs();
  // An explicit --jobs N > 1 always uses the pool; otherwise only when it pays.
  const useWorkers =
    options.jobs !== null
      ? options.jobs > 1
      : workersWorthwhile(
          files.length,
          sizes.reduce((sum, n) => sum + n, 0),
        );
  const results = await transformAll(
    files.map((file) => ({
      file,
      cwd: io.cwd,
      minRun: options.minRun,
      macros: options.macros,
      noreturn: options.noreturn,
      keep: {
        original: options.mode !== "check" || options.report !== null,
        output: options.mode === "diff" || options.mode === "stdout",
        reports: options.report !== null,
      },
    })),
    jobs,
    useWorkers,
    (done) => progress.update(done),
  );
  progress.clear();

  // Validate everything before touching anything.
  const failures = results.filter((r) => r.error !== null);
  const skipped = results.filter((r) => r.skipped !== null);
  for (const r of skipped) io.stderr(`${r.skipped ?? ""}\n`);
  for (const r of results) {
    for (const line of warningLines(r.file, r.diagnostics, options.verbose)) io.stderr(line);
  }
  if (failures.length > 0) {
    for (const f of failures) io.stderr(`${f.error ?? ""}\n`);
    io.stderr(
      `dbatch-transform: ${plural(failures.length, "file")} with errors; nothing written\n`,
    );
    return EXIT_USAGE;
  }

  const changed = results.filter((r) => r.changed);
  const reportOnStdout = options.report !== null && options.reportFile === null;
  const machineReport = reportOnStdout && (options.report === "json" || options.report === "sarif");
  // Only the report goes to stdout when it is machine-readable.
  const primary = machineReport ? io.stderr : io.stdout;
  let code = EXIT_OK;
  let written = 0;

  switch (options.mode) {
    case "write": {
      // What the transform of a large file left behind goes before the
      // writes add their own (a 20 MB file: 203 MB peak without, 190 with).
      if (totalChars(results) > 4 << 20) collectGarbage();
      for (const r of changed) {
        const path = resolve(io.cwd, r.file);
        // A file made read-only is not the tool's to rewrite (root could).
        const mode = statSync(path).mode & 0o777;
        if ((mode & 0o222) === 0) {
          io.stderr(
            `${r.file}: error: read-only (mode ${mode.toString(8).padStart(4, "0")}): not rewritten; make it writable to transform it\n`,
          );
          code = EXIT_USAGE;
          continue;
        }
        try {
          writeFileAtomic(path, editedPieces(r.original, r.edits));
          written++;
        } catch (err) {
          io.stderr(`${r.file}: error: cannot write: ${errorMessage(err)} (file left as it was)\n`);
          code = EXIT_USAGE;
        }
      }
      break;
    }
    case "check":
      for (const r of changed) primary(`${r.file}\n`);
      if (changed.length > 0) code = EXIT_CHANGES;
      break;
    case "diff":
      for (const r of changed) primary(unifiedDiff(r.file, r.original, r.output));
      break;
    case "stdout": {
      const only = results[0];
      if (only) io.stdout(only.output);
      break;
    }
  }

  if (options.report !== null) {
    const text = await renderReport(options.report, results, io.cwd);
    if (options.reportFile !== null) {
      try {
        writeFileSync(resolve(io.cwd, options.reportFile), text);
      } catch (err) {
        io.stderr(`${options.reportFile}: error: cannot write the report: ${errorMessage(err)}\n`);
        code = EXIT_USAGE;
      }
    } else if (options.mode === "stdout") {
      io.stderr(text);
    } else {
      io.stdout(text);
    }
  }

  // The others were processed; the exit code still says a file was not.
  if (skipped.length > 0) code = EXIT_USAGE;
  const s = summarise(results);
  const verb =
    options.mode === "write"
      ? "rewritten"
      : options.mode === "check"
        ? "would change"
        : options.mode === "diff"
          ? "would change (diff shown)"
          : "would change";
  const seconds = ((Date.now() - started) / 1000).toFixed(2);
  io.stderr(
    `dbatch-transform: ${plural(s.files, "file")}, ${options.mode === "write" ? written : changed.length} ${verb}; ` +
      `${plural(s.runs, "run")} batched (${plural(s.batched, "call")}), ${s.notBatched} not batched (${seconds}s)\n`,
  );
  return code;
}

function totalChars(results: readonly FileResult[]): number {
  return results.reduce((sum, r) => sum + r.original.length, 0);
}

/**
 * The warning lines of one file. Parse errors (often macros tree-sitter
 * cannot read) come in dozens in real code and would bury the summary: one
 * line per file says how many and where the first is, unless --verbose.
 */
export function warningLines(
  file: string,
  diagnostics: readonly DiagnosticInfo[],
  verbose: boolean,
): string[] {
  const warnings = diagnostics.filter((d) => d.severity === "warning");
  const parse = warnings.filter((d) => d.rule === "parse-error");
  const line = (d: DiagnosticInfo): string =>
    `${file}:${d.line}:${d.column}: warning: ${d.message} [${d.rule}]\n`;
  if (verbose || parse.length <= 1) return warnings.map(line);
  const first = parse[0] as DiagnosticInfo;
  const summary =
    `${file}:${first.line}:${first.column}: warning: ${parse.length} syntax errors (or macros ` +
    `tree-sitter cannot parse), the first here; the code around them is left untouched ` +
    `(--verbose lists them) [parse-error]\n`;
  return [summary, ...warnings.filter((d) => d.rule !== "parse-error").map(line)];
}
