// Shared by the CLI's end-to-end tests: they spawn the real binaries, linked
// at the repository root's node_modules/.bin, in temporary directories.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const repoRoot = resolve(import.meta.dirname, "..", "..", "..");
export const binDir = join(repoRoot, "node_modules", ".bin");
export const transformBin = join(binDir, "dbatch-transform");
export const dbatchBin = join(binDir, "dbatch");
export const fixturesDir = join(repoRoot, "fixtures");
export const seedExample = join(fixturesDir, "seed", "example.c");

export interface Result {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  cwd?: string;
  input?: string;
  env?: NodeJS.ProcessEnv;
  timeout?: number;
}

/** The environment the binaries get: no colours, no inherited dBatch settings. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: "0" };
  delete env.DBATCH_BACKEND;
  delete env.DBATCH_STATS;
  delete env.LD_PRELOAD;
  return { ...env, ...extra };
}

export function spawn(cmd: string, args: readonly string[], options: SpawnOptions = {}): Result {
  const t0 = Date.now();
  const r = spawnSync(cmd, [...args], {
    cwd: options.cwd ?? process.cwd(),
    input: options.input ?? "",
    env: options.env ?? cleanEnv(),
    encoding: "utf8",
    timeout: options.timeout ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  if (process.env.DBATCH_TEST_TIMING)
    process.stderr.write(
      `[${Date.now() - t0} ms] ${cmd.split("/").pop()} ${args.join(" ").slice(0, 80)}\n`,
    );
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

export function dbt(args: readonly string[], options: SpawnOptions = {}): Result {
  return spawn(transformBin, args, options);
}

export function dbatch(args: readonly string[], options: SpawnOptions = {}): Result {
  return spawn(dbatchBin, args, options);
}

const scratchDirs: string[] = [];
process.on("exit", () => {
  for (const d of scratchDirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh temporary directory, removed when the test process exits. */
export function scratch(prefix = "dbatch-cli-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratchDirs.push(dir);
  return dir;
}

/** A scratch directory holding copies of the given files (name -> source path). */
export function scratchWith(files: Record<string, string>): string {
  const dir = scratch();
  for (const [name, from] of Object.entries(files)) cpSync(from, join(dir, name));
  return dir;
}

/** Every file under dir (relative paths), sorted: to prove nothing else appeared. */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(dir, rel))) {
      const p = rel ? `${rel}/${name}` : name;
      if (statSync(join(dir, p)).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk("");
  return out.sort();
}

/** The fixtures/programs/<name>/ directories that exist (the differential suite). */
export function programFixtures(): string[] {
  try {
    return readdirSync(join(fixturesDir, "programs"))
      .filter((n) =>
        statSync(join(fixturesDir, "programs", n, "main.c"), { throwIfNoEntry: false })?.isFile(),
      )
      .sort();
  } catch {
    return [];
  }
}

/** A C file with both verdicts: a batched run and call sites left alone. */
export const MIXED = `#include <fcntl.h>
#include <unistd.h>

int main(void)
{
\tint fd = open("out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
\twrite(fd, "a", 1);
\twrite(fd, "b", 1);
\tif (write(fd, "c", 1) < 1)
\t\treturn 1;
\tclose(fd);
\treturn 0;
}
`;
