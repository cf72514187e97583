// Every golden output is C a compiler accepts without a warning, against the
// contract header <dbatch.h> (packages/preload/include). Inputs too: a
// fixture that does not compile would prove nothing about its output.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fixtureCases, repoDir } from "./fixture-cases.ts";

const includeDir = join(repoDir, "packages", "preload", "include");
const hasCompiler = spawnSync("cc", ["--version"]).status === 0;

function compile(file: string): string {
  const run = spawnSync("cc", ["-fsyntax-only", "-Wall", "-I", includeDir, file], {
    encoding: "utf8",
  });
  return run.status === 0 ? run.stderr : `exit ${run.status}\n${run.stderr}`;
}

for (const c of fixtureCases()) {
  for (const file of ["input.c", "expected.c"]) {
    test(`compiles: ${c.name}/${file}`, () => {
      if (!hasCompiler) throw new Error("no C compiler (cc) on PATH");
      assert.is(compile(join(c.dir, file)), "", `${c.name}/${file} does not compile cleanly`);
    });
  }
}

test.run();
