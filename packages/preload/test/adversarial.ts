// The adversarial programs (fixtures/adversarial/<name>/main.c, one hazard
// each): compiled as written and as `dbatch run` compiles them (transformed,
// with #line directives), run side by side; what may differ is nothing.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { applyEditsWithLineDirectives, transformSource } from "@dbatch/transform";
import { build, includeDir, runIn, runPreloaded, tempDir, type RunResult } from "./helpers.ts";

export const adversarialDir = join(
  import.meta.dirname,
  "..",
  "..",
  "..",
  "fixtures",
  "adversarial",
);

export const adversarialPrograms: readonly string[] = readdirSync(adversarialDir)
  .filter((n) => existsSync(join(adversarialDir, n, "main.c")))
  .sort();

export interface Prepared {
  readonly orig: string;
  readonly batched: string;
  /** Lines the transform inserted (0: the program is left as written). */
  readonly inserted: number;
  readonly original: RunResult;
  readonly stdin?: Buffer;
  /** Backends where a difference is a known limit, with the reason (known-limits.json). */
  readonly knownLimits: Readonly<Record<string, string>>;
  /** The transform must leave this program as written (an `untouched` file says why). */
  readonly untouched: boolean;
}

const binDir = tempDir("adversarial-bins");

/** cc in the source's own directory, so __FILE__ is "main.c" for both builds. */
function compileIn(dir: string, text: string, out: string, extra: readonly string[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "main.c"), text);
  const r = spawnSync("cc", ["-O1", "-w", ...extra, "-o", out, "main.c", "-lpthread"], {
    cwd: dir,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`cc failed for ${out}:\n${r.stderr}`);
}

const cache = new Map<string, Prepared>();

export function prepareAdversarial(name: string): Prepared {
  const hit = cache.get(name);
  if (hit) return hit;
  build();
  const dir = join(adversarialDir, name);
  const source = readFileSync(join(dir, "main.c"), "utf8");
  const result = transformSource(source, { fileName: "main.c" });
  // The same file name for both: a program may print its own name (assert).
  const orig = join(binDir, `${name}-orig`, "prog");
  const batched = join(binDir, `${name}-batched`, "prog");
  compileIn(join(binDir, `${name}-orig`), source, orig, []);
  compileIn(
    join(binDir, `${name}-batched`),
    applyEditsWithLineDirectives(source, result.edits, "main.c"),
    batched,
    ["-I", includeDir],
  );
  const stdinPath = join(dir, "stdin");
  const stdin = existsSync(stdinPath) ? readFileSync(stdinPath) : undefined;
  const limitsPath = join(dir, "known-limits.json");
  const knownLimits = existsSync(limitsPath)
    ? (JSON.parse(readFileSync(limitsPath, "utf8")) as Record<string, string>)
    : {};
  const original = runIn(orig, stdin ? { stdin } : {});
  const prepared: Prepared = {
    orig,
    batched,
    inserted: result.edits.length,
    original,
    ...(stdin ? { stdin } : {}),
    knownLimits,
    untouched: existsSync(join(dir, "untouched")),
  };
  cache.set(name, prepared);
  return prepared;
}

/** What differs between the original's run and a batched run ("" when nothing). */
export function differences(a: RunResult, b: RunResult): string[] {
  const out: string[] = [];
  if (a.signal !== b.signal) out.push(`signal ${a.signal} vs ${b.signal}`);
  if (a.code !== b.code) out.push(`exit ${a.code} vs ${b.code}`);
  if (!a.stdout.equals(b.stdout))
    out.push(
      `stdout ${JSON.stringify(a.stdout.toString("latin1").slice(0, 200))} vs ${JSON.stringify(b.stdout.toString("latin1").slice(0, 200))}`,
    );
  if (!a.stderr.equals(b.stderr))
    out.push(
      `stderr ${JSON.stringify(a.stderr.toString("latin1").slice(0, 200))} vs ${JSON.stringify(b.stderr.toString("latin1").slice(0, 200))}`,
    );
  const names = [...new Set([...a.files.keys(), ...b.files.keys()])].sort();
  for (const n of names) {
    if (a.files.get(n) !== b.files.get(n)) out.push(`file ${n} differs`);
  }
  return out;
}

export function runBatched(p: Prepared, backend: string, env: Record<string, string> = {}) {
  return runPreloaded(p.batched, backend, { env, ...(p.stdin ? { stdin: p.stdin } : {}) });
}
