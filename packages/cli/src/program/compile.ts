import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { applyEditsWithLineDirectives, transformSource } from "@dbatch/transform";
import { CliError, EXIT_USAGE, errnoCode, errorMessage } from "../errors.ts";
import { preloadIncludeDir as preloadInclude } from "@dbatch/preload";

export interface TransformedSource {
  source: string;
  transformed: string;
  runs: number;
  batchedCalls: number;
}

function readSource(file: string, cwd: string): string {
  const path = resolve(cwd, file);
  try {
    if (statSync(path).isDirectory())
      throw new CliError(`${file}: error: is a directory`, EXIT_USAGE);
    return readFileSync(path, "utf8");
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (errnoCode(err) === "ENOENT") throw new CliError(`${file}: error: no such file`, EXIT_USAGE);
    throw new CliError(`${file}: error: cannot read: ${errorMessage(err)}`, EXIT_USAGE);
  }
}

/**
 * Transform each source into `workDir` (the originals are never touched) and
 * compile them into `output` with cc -O2 and the preload headers. The
 * directory of each original is on the quote-include path, so the program's
 * own "headers.h" still resolve.
 */
export function transformAndCompile(
  files: readonly string[],
  cwd: string,
  workDir: string,
  output: string,
  minRun: number,
): TransformedSource[] {
  // Every file is checked first, so that all problems are named at once.
  const problems: string[] = [];
  for (const f of files) {
    if (!/\.c$/.test(f)) problems.push(`${f}: error: not a C source file (expected .c)`);
    else {
      try {
        readSource(f, cwd);
      } catch (err) {
        problems.push(err instanceof CliError ? err.message : String(err));
      }
    }
  }
  if (problems.length > 0) throw new CliError(problems.join("\n"), EXIT_USAGE);
  const sources: TransformedSource[] = [];
  const quoteDirs: string[] = [];
  files.forEach((file, index) => {
    const text = readSource(file, cwd);
    const result = transformSource(text, { minRun });
    const errors = result.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0) {
      throw new CliError(
        errors
          .map((d) => `${file}:${d.line}:${d.column}: error: ${d.message} [${d.rule}]`)
          .join("\n"),
        EXIT_USAGE,
      );
    }
    const dir = join(workDir, "src", String(index));
    mkdirSync(dir, { recursive: true });
    const transformed = join(dir, basename(file));
    // #line directives: __FILE__, __LINE__, assert() and the compiler's
    // diagnostics name the user's file and lines, as given on the command line.
    writeFileSync(transformed, applyEditsWithLineDirectives(text, result.edits, file));
    const home = dirname(resolve(cwd, file));
    if (!quoteDirs.includes(home)) quoteDirs.push(home);
    sources.push({
      source: file,
      transformed,
      runs: result.runs.length,
      batchedCalls: result.sites.filter((s) => s.batched).length,
    });
  });
  const cc = process.env.CC ?? "cc";
  const args = [
    "-O2",
    "-I",
    preloadInclude,
    ...quoteDirs.flatMap((d) => ["-iquote", d]),
    "-o",
    output,
    ...sources.map((s) => s.transformed),
    "-lpthread",
  ];
  const compiled = spawnSync(cc, args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  if (compiled.error) {
    throw new CliError(
      `dbatch: cannot run the C compiler '${cc}': ${compiled.error.message}`,
      EXIT_USAGE,
    );
  }
  // The compiler's own lines pass through as they are (they name the user's
  // files and lines through #line), so editors can jump to them.
  const messages = `${compiled.stdout ?? ""}${compiled.stderr ?? ""}`;
  if (messages.trim()) process.stderr.write(messages);
  if (compiled.status !== 0) {
    throw new CliError(
      `dbatch: compilation failed (${cc} exited with ${compiled.status ?? compiled.signal})`,
      EXIT_USAGE,
    );
  }
  return sources;
}
