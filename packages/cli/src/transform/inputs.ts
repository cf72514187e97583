import { statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { globSync } from "tinyglobby";
import { CliError, errnoCode } from "../errors.ts";

const GLOB_CHARS = /[*?[\]{}]/;
const C_FILE = /\.[ch]$/;

export function isGlob(arg: string): boolean {
  return GLOB_CHARS.test(arg);
}

/**
 * Expand files and globs into a list of .c/.h files, in the order given
 * (each glob's matches sorted), without duplicates. Every problem with every
 * argument is collected first, so the user sees them all at once; then a
 * CliError lists them (exit 2). Nothing is read here beyond stat().
 */
export function expandInputs(patterns: string[], cwd: string): string[] {
  const files: string[] = [];
  const seen = new Set<string>();
  const problems: string[] = [];
  const add = (file: string): void => {
    const key = resolve(cwd, file);
    if (seen.has(key)) return;
    seen.add(key);
    files.push(file);
  };
  for (const pattern of patterns) {
    let literal = true;
    try {
      statSync(resolve(cwd, pattern));
    } catch {
      literal = !isGlob(pattern);
    }
    if (!literal) {
      const matches = globSync(pattern, {
        cwd,
        onlyFiles: true,
        dot: false,
        expandDirectories: false,
        // An absolute pattern gives absolute paths, a relative one relative paths.
        absolute: isAbsolute(pattern),
        ignore: ["**/node_modules/**", "**/.git/**"],
      })
        .filter((m) => C_FILE.test(m))
        .sort();
      if (matches.length === 0)
        problems.push(`${pattern}: error: no .c or .h file matches this pattern`);
      for (const m of matches) add(m);
      continue;
    }
    const problem = checkFile(pattern, cwd);
    if (problem) problems.push(problem);
    else add(pattern);
  }
  if (problems.length > 0) throw new CliError(problems.join("\n"));
  return files;
}

function checkFile(file: string, cwd: string): string | null {
  let stats;
  try {
    stats = statSync(resolve(cwd, file));
  } catch (err) {
    const code = errnoCode(err);
    if (code === "ENOENT") return `${file}: error: no such file`;
    if (code === "EACCES") return `${file}: error: permission denied`;
    return `${file}: error: cannot read (${code ?? "unknown error"})`;
  }
  if (stats.isDirectory())
    return `${file}: error: is a directory (give files or a glob such as '${file}/**/*.c')`;
  if (!stats.isFile()) return `${file}: error: not a regular file`;
  if (!C_FILE.test(file)) return `${file}: error: not a C file (expected .c or .h)`;
  return null;
}
