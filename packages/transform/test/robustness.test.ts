// Damaged input never makes the transform throw, and whatever it does is
// only ever inserting its own lines: every fixture cut at many points, and
// with a stray token spliced in.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { transformSource } from "../src/index.ts";
import { fixtureCases } from "./fixture-cases.ts";

const inserted = ["batch_start();", "batch_flush();", "#include <dbatch.h>"];
// A checked call's wrapper around it, and the flush of a run with checks
// (an open's batch_open_unseen() wrapper ends with the same ")").
const checkedOpen = /^batch_checked\(\d+, DBATCH_CHECK_(?:ERROR|COUNT), [^\n]+, $/;
const checkedFlush =
  /^\{ (?:int dbatch_failed_ = batch_flush_checked\(\); if \(dbatch_failed_ (?:== 1|>= 1 && dbatch_failed_ <= \d+)\) |\(void\)batch_flush_checked\(\); \w+ = batch_checked_value\(\d+, \w+\); \}$)/;

/** Every edit inserts one of our markers, with nothing but blanks and a line break around it. */
function onlyOurInsertions(result: ReturnType<typeof transformSource>): boolean {
  return result.edits.every((e) => {
    const marker = e.text.trim();
    if (e.start !== e.end) return false;
    if (checkedOpen.test(e.text) || e.text === ")" || checkedFlush.test(marker)) return true;
    if (e.text === "batch_open_unseen(") return true;
    return inserted.includes(marker) && e.text.replace(marker, "").trim() === "";
  });
}

for (const c of fixtureCases()) {
  test(`robust: ${c.name}`, () => {
    const text = c.input;
    const step = Math.max(1, Math.floor(text.length / 12));
    for (let cut = step; cut < text.length; cut += step) {
      for (const damaged of [
        text.slice(0, cut),
        text.slice(0, cut) + " ) { ; " + text.slice(cut),
      ]) {
        const result = transformSource(damaged, c.options);
        assert.ok(onlyOurInsertions(result), `${c.name} cut at ${cut}: unexpected edit`);
        const again = transformSource(result.output, c.options);
        assert.is(again.output, result.output, `${c.name} cut at ${cut}: not idempotent`);
      }
    }
  });
}

test("an expression nested too deep to analyse leaves its function alone", () => {
  const sum = Array.from({ length: 20000 }, (_, i) => `x${i % 3}`).join(" + ");
  const text = `#include <unistd.h>\nint f(int x0, int x1, int x2)\n{\n\tint y = ${sum};\n\twrite(1, "a", 1);\n\twrite(1, "b", 1);\n\treturn y;\n}\n`;
  const result = transformSource(text);
  assert.is(result.output, text);
  assert.equal(
    result.sites.map((s) => s.reason),
    ["unsupported-syntax", "unsupported-syntax"],
  );
  assert.equal(
    result.diagnostics.map((d) => [d.rule, d.line]),
    [["unsupported-syntax", 2]],
  );
});

test("stray braces at top level: a parse-error diagnostic naming their line, the clean function still batched", () => {
  const text = `#include <unistd.h>\n}}}\nvoid f(void)\n{\n\twrite(1, "a", 1);\n\twrite(1, "b", 1);\n}\n`;
  const result = transformSource(text);
  assert.equal(
    result.diagnostics.map((d) => [d.rule, d.line]),
    [["parse-error", 2]],
  );
  assert.equal(
    result.sites.map((s) => s.run),
    [1, 1],
  );
});

test("a syntax error in a function without syscalls is still reported", () => {
  const text = `#include <unistd.h>\nint g(int x)\n{\n\treturn x +;\n}\nvoid f(void)\n{\n\twrite(1, "a", 1);\n\twrite(1, "b", 1);\n}\n`;
  const result = transformSource(text);
  assert.equal(
    result.diagnostics.map((d) => [d.rule, d.line]),
    [["parse-error", 4]],
  );
  assert.equal(
    result.sites.map((s) => s.run),
    [1, 1],
  );
});

test("several broken places: one diagnostic each, none repeated", () => {
  const text = `}\nvoid f(void)\n{\n\twrite(1, "a", 1) write(1, "b", 1);\n}\n)\n`;
  const result = transformSource(text);
  const lines = result.diagnostics.map((d) => d.line);
  assert.ok(lines.includes(1), `no diagnostic on line 1: ${JSON.stringify(result.diagnostics)}`);
  assert.ok(lines.includes(4), `no diagnostic on line 4: ${JSON.stringify(result.diagnostics)}`);
  assert.ok(lines.includes(6), `no diagnostic on line 6: ${JSON.stringify(result.diagnostics)}`);
  assert.is(new Set(lines).size, lines.length);
  assert.is(result.output, text);
});

test("200,000 nested parentheses: no throw; a function with calls is left alone with a diagnostic", () => {
  const depth = 200_000;
  const nest = (inner: string): string => "(".repeat(depth) + inner + ")".repeat(depth);
  const plain = `int f(void){ return ${nest("1")}; }\n`;
  assert.equal(transformSource(plain).output, plain);
  const calls = `#include <unistd.h>\nint f(void)\n{\n\twrite(1, "a", 1);\n\twrite(1, "b", 1);\n\treturn ${nest("1")};\n}\nvoid g(void)\n{\n\twrite(1, "c", 1);\n\twrite(1, "d", 1);\n}\n`;
  const result = transformSource(calls);
  assert.equal(
    result.sites.map((s) => s.reason ?? s.run),
    ["unsupported-syntax", "unsupported-syntax", 1, 1],
  );
  assert.equal(
    result.diagnostics.map((d) => [d.rule, d.line]),
    [["unsupported-syntax", 2]],
  );
  assert.not.match(result.output.slice(0, result.output.indexOf("void g")), /batch_start/);
});

test("the depth bound does not depend on the stack left: a deep function is skipped even with little stack", () => {
  // 3000 levels fit the default stack, but not a caller's that is already
  // deep: the verdict must be the same either way.
  const sum = Array.from({ length: 3000 }, (_, i) => `x${i % 3}`).join(" + ");
  const text = `#include <unistd.h>\nint f(int x0, int x1, int x2)\n{\n\tint y = ${sum};\n\twrite(1, "a", 1);\n\twrite(1, "b", 1);\n\treturn y;\n}\n`;
  const shallow = transformSource(text);
  let deep: ReturnType<typeof transformSource> | null = null;
  const recurse = (n: number): void => {
    if (n > 0) recurse(n - 1);
    else deep = transformSource(text);
  };
  recurse(9000);
  const summary = (r: ReturnType<typeof transformSource> | null): string =>
    JSON.stringify([r?.output === text, r?.sites, r?.diagnostics]);
  assert.is(summary(deep), summary(shallow));
  assert.equal(
    shallow.diagnostics.map((d) => [d.rule, d.line]),
    [["unsupported-syntax", 2]],
  );
});

test("reports: false and output: false leave the counts, edits and changed as they were", () => {
  for (const c of fixtureCases()) {
    const full = transformSource(c.input, c.options);
    const lean = transformSource(c.input, { ...c.options, reports: false, output: false });
    const batched = full.sites.filter((s) => s.batched).length;
    assert.equal(
      full.counts,
      { runs: full.runs.length, batched, notBatched: full.sites.length - batched },
      c.name,
    );
    assert.equal(lean.counts, full.counts, c.name);
    assert.equal(lean.edits, full.edits, c.name);
    assert.is(lean.changed, full.output !== c.input, c.name);
    assert.is(full.changed, lean.changed, c.name);
    assert.equal([lean.runs, lean.sites, lean.output], [[], [], ""], c.name);
    assert.equal(lean.diagnostics, full.diagnostics, c.name);
  }
});

test.run();
