// dbatch-transform --report sarif, validated against the SARIF 2.1.0 JSON
// schema shipped by Microsoft's SARIF SDK (@microsoft/sarif-multitool-linux,
// sarif-2.1.0.json, a JSON Schema 2020-12 document) with ajv.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { dbt, MIXED, scratchWith, seedExample } from "./helpers.ts";

const require = createRequire(import.meta.url);
const schemaPath = join(
  dirname(require.resolve("@microsoft/sarif-multitool-linux/package.json")),
  "sarif-2.1.0.json",
);
const schema = JSON.parse(readFileSync(schemaPath, "utf8")) as Record<string, unknown>;

interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine?: number;
  endColumn?: number;
}

interface SarifLog {
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        rules: { id: string; help: { text: string }; helpUri: string }[];
      };
    };
    originalUriBaseIds: Record<string, { uri: string }>;
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: {
        physicalLocation: {
          artifactLocation: { uri: string; uriBaseId?: string };
          region: SarifRegion;
        };
      }[];
      partialFingerprints: Record<string, string>;
      fixes?: {
        artifactChanges: {
          replacements: { deletedRegion: SarifRegion; insertedContent: { text: string } }[];
        }[];
      }[];
    }[];
  }[];
}

function sarifFor(
  files: Record<string, string>,
  extra: string[] = [],
): { log: SarifLog; raw: unknown; dir: string } {
  const dir = scratchWith({});
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const r = dbt(["--check", "--report", "sarif", ...extra, ...Object.keys(files)], { cwd: dir });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const raw: unknown = JSON.parse(r.stdout); // stdout holds only the report
  return { log: raw as SarifLog, raw, dir };
}

test("the schema is the SARIF 2.1.0 one", () => {
  assert.match(String(schema.title), /SARIF\) Version 2\.1\.0 JSON Schema/);
});

test("--report sarif validates against the SARIF 2.1.0 schema", () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
  const validate = ajv.compile(schema);
  const { raw } = sarifFor({ "mixed.c": MIXED, "example.c": readFileSync(seedExample, "utf8") });
  const ok = validate(raw);
  assert.ok(ok, JSON.stringify(validate.errors, null, 2));
  // And a log the validator must reject, so we know it validates at all.
  const broken = structuredClone(raw) as { version: string };
  broken.version = "2.0.0";
  assert.not.ok(validate(broken));
});

test("one run; a rule per reason id with help text; notes for sites left alone, a warning for a run not batched yet", () => {
  const { log, dir } = sarifFor({ "mixed.c": MIXED });
  assert.is(log.version, "2.1.0");
  assert.is(log.runs.length, 1);
  const run = log.runs[0];
  assert.ok(run);
  assert.is(run.tool.driver.name, "dbatch-transform");
  const ids = run.tool.driver.rules.map((r) => r.id);
  assert.is(new Set(ids).size, ids.length, "duplicate rule ids");
  for (const id of [
    "would-batch",
    "batched-run",
    "result-used",
    "unknown-call",
    "preprocessor",
    "label",
    "single-call",
    "parse-error",
  ]) {
    assert.ok(ids.includes(id), `no rule ${id}`);
  }
  for (const rule of run.tool.driver.rules) {
    assert.ok(rule.help.text.length > 20, `${rule.id}: no help text`);
    assert.match(
      rule.helpUri,
      /^file:\/\/.*\/packages\/transform\/README\.md#(reason-ids|what-is-batched)$/,
    );
  }
  assert.is(run.originalUriBaseIds["%SRCROOT%"]?.uri, pathToFileURL(`${dir}/`).href);
  for (const res of run.results) {
    assert.is(res.level, res.ruleId === "would-batch" ? "warning" : "note");
    assert.is(ids[res.ruleIndex], res.ruleId);
    const loc = res.locations[0]?.physicalLocation;
    assert.equal(loc?.artifactLocation, { uri: "mixed.c", uriBaseId: "%SRCROOT%" });
  }
  const batched = run.results.filter((r) => r.ruleId === "would-batch");
  assert.is(batched.length, 1);
  assert.match(batched[0]?.message.text ?? "", /^run 1 \(write x2\) is not batched yet/);
  assert.equal(batched[0]?.locations[0]?.physicalLocation.region, {
    startLine: 7,
    startColumn: 2,
    endLine: 8,
  });
  const used = run.results.find(
    (r) => r.ruleId === "result-used" && r.locations[0]?.physicalLocation.region.startLine === 9,
  );
  assert.ok(used, "no result-used note at line 9");
  assert.is(used.message.text, "write not batched: result used");
  assert.equal(used.locations[0]?.physicalLocation.region, { startLine: 9, startColumn: 6 });
});

/** Offsets of 1-based line/column positions in @text. */
function offsetOf(text: string, line: number, column: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) at = text.indexOf("\n", at) + 1;
  return at + column - 1;
}

test("a would-change file: warnings whose fixes, applied, give exactly --stdout's text", () => {
  const original =
    readFileSync(seedExample, "utf8") + "\n" + MIXED.replace(/int main/, "int other");
  const { log, dir } = sarifFor({ "both.c": original });
  const warnings = log.runs[0]?.results.filter((r) => r.level === "warning") ?? [];
  assert.ok(warnings.length >= 2, `only ${warnings.length} warnings`);
  const replacements = warnings.flatMap((w) =>
    (w.fixes ?? []).flatMap((f) => f.artifactChanges.flatMap((c) => c.replacements)),
  );
  const edits = replacements
    .map((r) => ({
      start: offsetOf(original, r.deletedRegion.startLine, r.deletedRegion.startColumn),
      end: offsetOf(original, r.deletedRegion.endLine ?? 0, r.deletedRegion.endColumn ?? 0),
      text: r.insertedContent.text,
    }))
    .sort((a, b) => a.start - b.start);
  let applied = "";
  let cursor = 0;
  for (const e of edits) {
    applied += original.slice(cursor, e.start) + e.text;
    cursor = e.end;
  }
  applied += original.slice(cursor);
  const stdout = dbt(["--stdout", "both.c"], { cwd: dir }).stdout;
  assert.is(applied, stdout);
  assert.is(applied.split("#include <dbatch.h>").length, 2, "the include comes once");
});

test("an already batched file gives notes only; fingerprints do not follow line numbers", () => {
  const dir = scratchWith({ "example.c": seedExample });
  const transformed = dbt(["--stdout", "example.c"], { cwd: dir }).stdout;
  const done = sarifFor({ "done.c": transformed }).log.runs[0]?.results ?? [];
  assert.ok(done.length > 0);
  assert.ok(
    done.every((r) => r.level === "note" && !r.fixes),
    JSON.stringify(done),
  );
  const hashes = (text: string): string[] =>
    (sarifFor({ "f.c": text }).log.runs[0]?.results ?? [])
      .map((r) => r.partialFingerprints["dbatchLineHash/v1"] ?? "")
      .sort();
  const before = hashes(MIXED);
  assert.ok(before.every((h) => /^[0-9a-f]{32}$/.test(h)));
  assert.is(new Set(before).size, before.length, "fingerprints are unique");
  assert.equal(hashes(`/* a comment added above */\n\n${MIXED}`), before);
});

test("paths with spaces are URI-encoded; absolute paths become file: URIs", () => {
  const { log } = sarifFor({ "my file.c": MIXED });
  const uri = log.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation.uri;
  assert.is(uri, "my%20file.c");
  const dir = scratchWith({ "example.c": seedExample });
  const abs = join(dir, "example.c");
  const r = dbt(["--check", "--report", "sarif", abs], { cwd: dir });
  const log2 = JSON.parse(r.stdout) as SarifLog;
  const loc = log2.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation;
  assert.equal(loc, { uri: pathToFileURL(abs).href });
});

test.run();
