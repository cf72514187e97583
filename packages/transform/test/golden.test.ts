// Golden cases: input.c -> expected.c + expected.json, and a second run over
// expected.c changes nothing. UPDATE_GOLDEN=1 rewrites the golden files from
// the current output (then review the diff like code).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { transformSource } from "../src/index.ts";
import { fixtureCases, reportJson } from "./fixture-cases.ts";

const update = process.env["UPDATE_GOLDEN"] === "1";

for (const c of fixtureCases()) {
  test(`golden: ${c.name}`, () => {
    const result = transformSource(c.input, c.options);
    const expectedC = join(c.dir, "expected.c");
    const expectedJson = join(c.dir, "expected.json");
    if (update) {
      writeFileSync(expectedC, result.output);
      writeFileSync(expectedJson, reportJson(result));
    }
    assert.ok(existsSync(expectedC), `${c.name}: expected.c missing (UPDATE_GOLDEN=1)`);
    assert.fixture(result.output, readFileSync(expectedC, "utf8"));
    assert.fixture(reportJson(result), readFileSync(expectedJson, "utf8"));
    // One verdict per call site.
    const positions = result.sites.map((site) => `${site.line}:${site.column}`);
    assert.is(new Set(positions).size, positions.length, "a call site has two verdicts");
  });

  test(`idempotent: ${c.name}`, () => {
    const expected = readFileSync(join(c.dir, "expected.c"), "utf8");
    const first = transformSource(c.input, c.options);
    const again = transformSource(expected, c.options);
    assert.is(again.output, expected, "a second run changes the output");
    assert.equal(again.edits, []);
    // The verdicts stay the same (lines move by the inserted lines).
    const verdicts = (r: typeof first) => r.sites.map((s) => [s.call, s.batched, s.reason]);
    assert.equal(verdicts(again), verdicts(first));
    assert.is(again.runs.length, first.runs.length);
  });
}

test.run();
