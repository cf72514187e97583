// The runnable programs the other packages test with (fixtures/programs/*/
// main.c) still compile after the transform, with no warning the original
// does not have, and a second run changes nothing. (Whether they still behave
// the same is the preload and CLI suites' differential test.)
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { transformSource } from "../src/index.ts";
import { repoDir } from "./fixture-cases.ts";

const programsDir = join(repoDir, "fixtures", "programs");
const includeDir = join(repoDir, "packages", "preload", "include");
const scratch = mkdtempSync(join(tmpdir(), "dbatch-transform-"));

function warnings(file: string): string {
  const run = spawnSync("cc", ["-fsyntax-only", "-Wall", "-I", includeDir, file], {
    encoding: "utf8",
  });
  // Only the messages, not the file name (the two files differ in name).
  const messages = run.stderr
    .split("\n")
    .filter((l) => /(warning|error):/.test(l))
    .map((l) => l.replace(/^.*?:\d+:\d+: /, ""));
  return (run.status === 0 ? "" : `exit ${run.status}\n`) + messages.sort().join("\n");
}

const programs = existsSync(programsDir)
  ? readdirSync(programsDir).filter((name) => existsSync(join(programsDir, name, "main.c")))
  : [];

for (const name of programs) {
  test(`program: ${name}`, () => {
    const original = join(programsDir, name, "main.c");
    const text = readFileSync(original, "utf8");
    const result = transformSource(text);
    assert.is(transformSource(result.output).output, result.output, "not idempotent");
    const transformed = join(scratch, `${name}.c`);
    writeFileSync(transformed, result.output);
    assert.is(warnings(transformed), warnings(original));
  });
}

test.after(() => rmSync(scratch, { recursive: true, force: true }));

test.run();
