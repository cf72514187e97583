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

function compile(file: string, defines: readonly string[] = []): string {
  const run = spawnSync("cc", ["-fsyntax-only", "-Wall", "-I", includeDir, ...defines, file], {
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

// Inserted lines stay balanced in every configuration of an #if group
// between if-else branches (the analysis read both at once).
for (const defines of [[], ["-DHAVE_B"]]) {
  test(`compiles: ifdef-else-chain/expected.c ${defines.join(" ") || "(HAVE_B undefined)"}`, () => {
    const file = join(repoDir, "fixtures", "transform", "ifdef-else-chain", "expected.c");
    assert.is(compile(file, defines), "", `does not compile with ${defines.join(" ")}`);
    // and, for the check to mean anything, the configurations differ in what is compiled
    const pre = spawnSync("cc", ["-E", "-P", "-I", includeDir, ...defines, file], {
      encoding: "utf8",
    });
    assert.is(pre.stdout.includes('"c", 1'), defines.length > 0);
    const starts = (pre.stdout.match(/batch_start\(\)/g) ?? []).length;
    const flushes = (pre.stdout.match(/batch_flush\(\)/g) ?? []).length;
    assert.is(starts, flushes, "balanced");
  });
}

test.run();
