import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import { CliError, EXIT_OK } from "../errors.ts";
import { transformAndCompile } from "../program/compile.ts";
import { ensurePreloadLib } from "../program/preload.ts";
import { parseCommandArgs, parseMinRun } from "./common.ts";
import { shellQuote } from "@dbatch/vm";

export const buildUsage = `Usage: dbatch build [-o out] [--min-run N] <file.c...>

Transform the sources (in a temporary directory; the originals are never
modified) and compile them with cc -O2 and <dbatch.h> into 'out' (default:
the first file's name without .c). Prints how to run the result batched.
`;

export async function buildCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("build", argv, {
    output: { type: "string", short: "o" },
    "min-run": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    process.stdout.write(buildUsage);
    return EXIT_OK;
  }
  if (positionals.length === 0)
    throw new CliError("dbatch build: no source files given\nTry 'dbatch build --help'.");
  const cwd = process.cwd();
  const first = positionals[0] ?? "program.c";
  const out = resolve(cwd, values.output ?? basename(first).replace(/\.c$/, ""));
  const minRun = parseMinRun(values["min-run"]);
  const lib = ensurePreloadLib();
  const work = mkdtempSync(join(tmpdir(), "dbatch-build-"));
  try {
    const sources = transformAndCompile(positionals, cwd, work, out, minRun);
    const shown = relative(cwd, out);
    const runnable = shown.startsWith("..") || isAbsolute(shown) ? out : `./${shown}`;
    const runs = sources.reduce((n, s) => n + s.runs, 0);
    const calls = sources.reduce((n, s) => n + s.batchedCalls, 0);
    process.stdout.write(
      `built ${runnable} (${runs} run${runs === 1 ? "" : "s"}, ${calls} call${calls === 1 ? "" : "s"} batched)\n` +
        `run it batched:  LD_PRELOAD=${shellQuote(lib)} DBATCH_BACKEND=auto ${shellQuote(runnable)}\n` +
        `  (DBATCH_BACKEND=kmod|uring|emulate|off picks a backend; DBATCH_STATS=1 prints the stats;\n` +
        `   without LD_PRELOAD it runs unbatched)\n`,
    );
    return EXIT_OK;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
