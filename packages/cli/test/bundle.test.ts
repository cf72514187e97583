// The binaries run compiled JavaScript (packages/cli/dist); an edited source
// is recompiled before it runs, never run stale.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { dbatch, repoRoot } from "./helpers.ts";

const manifestPath = join(repoRoot, "packages", "cli", "dist", "manifest.json");

interface Manifest {
  dir: string;
  inputs: Record<string, [number, number]>;
}

const readManifest = (): Manifest => JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;

test("the bundle holds the CLI's sources and those of the workspace packages it imports", () => {
  assert.is(dbatch(["--version"]).status, 0);
  const inputs = Object.keys(readManifest().inputs);
  for (const source of [
    "src/dbatch-main.ts",
    "src/transform/worker.ts",
    "../transform/src/index.ts",
    "../preload/index.ts",
    "../vm/src/index.ts",
  ])
    assert.ok(inputs.includes(source), `${source} compiled into the bundle`);
  assert.not.ok(
    inputs.some((i) => i.includes("node_modules")),
    "npm packages stay outside the bundle",
  );
});

test("a source changed since the bundle was built is recompiled before the command runs", () => {
  assert.is(dbatch(["--version"]).status, 0);
  const before = readManifest();
  // Pretend errors.ts had another size when the bundle was built.
  const stale: Manifest = {
    ...before,
    inputs: { ...before.inputs, "src/errors.ts": [0, 0] },
  };
  writeFileSync(manifestPath, JSON.stringify(stale));
  const r = dbatch(["--version"]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^dbatch \d/);
  const after = readManifest();
  assert.is.not(after.dir, before.dir, "a new build");
  assert.equal(after.inputs["src/errors.ts"], before.inputs["src/errors.ts"]);
});

test("paths found relative to a source file still point into the checkout", () => {
  // cflags reads the preload's headers and the pkg-config template through
  // the preload package's own directory: wrong if import.meta.url were the bundle's.
  const r = dbatch(["cflags"]);
  assert.is(r.status, 0, r.stderr);
  assert.ok(r.stdout.includes(join(repoRoot, "packages", "preload", "include")), r.stdout);
});

test.run();
