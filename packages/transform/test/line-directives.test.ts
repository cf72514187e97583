// #line directives: in the compiler's copy every original line keeps its
// number and file name, whatever the transform inserted around it; checked
// on every golden fixture and on the programs, and with the C compiler.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { applyEditsWithLineDirectives, transformSource } from "../src/index.ts";

const repo = join(import.meta.dirname, "..", "..", "..");

/**
 * What a preprocessor sees: for each output line that is not a #line
 * directive, [file, line number, text].
 */
function numbered(output: string): [string, number, string][] {
  const out: [string, number, string][] = [];
  let file = "<none>";
  let line = 1;
  for (const text of output.split("\n")) {
    const m = /^#line (\d+) "((?:[^"\\]|\\.)*)"\r?$/.exec(text);
    if (m) {
      line = Number(m[1]);
      file = m[2] ?? "";
      continue;
    }
    out.push([file, line, text]);
    line++;
  }
  return out;
}

function sources(): [string, string][] {
  const found: [string, string][] = [];
  for (const dir of ["fixtures/transform", "fixtures/programs"]) {
    for (const name of readdirSync(join(repo, dir))) {
      const file = join(repo, dir, name, dir.endsWith("transform") ? "input.c" : "main.c");
      try {
        found.push([`${dir}/${name}`, readFileSync(file, "utf8")]);
      } catch {
        // a fixture without a C file of that name
      }
    }
  }
  return found;
}

test("every original line keeps its number and the file's name", () => {
  let withEdits = 0;
  for (const [name, text] of sources()) {
    const result = transformSource(text);
    if (result.edits.length === 0) continue;
    withEdits++;
    const original = text.replace(/^\uFEFF/, "").split("\n");
    const seen = new Map<number, string>();
    for (const [file, line, body] of numbered(
      applyEditsWithLineDirectives(text, result.edits, "p.c"),
    )) {
      assert.is(file, "p.c", name);
      // Lines the transform added carry the number of their neighbour; every
      // original line must appear at its own number, unchanged or with an
      // inline batch_start()/batch_flush() added.
      if (!seen.has(line)) seen.set(line, body);
      else seen.set(line, `${seen.get(line)}\n${body}`);
    }
    original.forEach((body, i) => {
      const at = seen.get(i + 1) ?? "";
      // A checked call's line holds it wrapped: batch_checked(n, KIND, E, call);
      // an open whose number is not read, batch_open_unseen(call); a wrapped
      // call spanning lines gets its ")" on its last line.
      const wraps = result.edits.some((e) => e.text === ")");
      const unwrap = (s: string): string =>
        wraps
          ? s
              .replace(/batch_checked\(\d+, DBATCH_CHECK_\w+, [^,]+, /g, "")
              .replace(/batch_open_unseen\(/g, "")
              .replace(/\)/g, "")
          : s;
      const bare = (s: string): string =>
        unwrap(s.replace(/batch_start\(\); ?| ?batch_flush\(\);/g, "").trimEnd());
      assert.ok(
        at.split("\n").some((l) => bare(l) === bare(body.replace(/^\uFEFF/, ""))),
        `${name}: line ${i + 1} ${JSON.stringify(body)} not at its number: ${JSON.stringify(at)}`,
      );
    });
  }
  assert.ok(withEdits > 20, `only ${withEdits} files were transformed`);
});

test("the compiler sees the user's file and lines: __LINE__, __FILE__, diagnostics", () => {
  const text = [
    "#include <stdio.h>",
    "#include <unistd.h>",
    "int main(void)",
    "{",
    '\twrite(1, "a\\n", 2);',
    '\twrite(1, "b\\n", 2);',
    '\tprintf("%s:%d\\n", __FILE__, __LINE__);',
    "\tint unused_variable;",
    "\treturn 0;",
    "}",
    "",
  ].join("\n");
  const result = transformSource(text);
  assert.ok(result.output.includes("batch_start();"), "the writes are a run");
  const dir = mkdtempSync(join(tmpdir(), "dbatch-line-"));
  const copy = join(dir, "copy.c");
  writeFileSync(copy, applyEditsWithLineDirectives(text, result.edits, "user/prog.c"));
  const include = join(repo, "packages", "preload", "include");
  const built = spawnSync("cc", ["-Wall", "-I", include, "-o", join(dir, "prog"), copy], {
    encoding: "utf8",
  });
  assert.is(built.status, 0, built.stderr);
  const warnings = built.stderr;
  assert.match(warnings, /user\/prog\.c:8:\d+: warning: unused variable/);
  assert.is(execFileSync(join(dir, "prog"), { encoding: "utf8" }), "a\nb\nuser/prog.c:7\n");
});

test("code copied into a checked flush keeps its lines: __LINE__ in failure branches and rests", () => {
  const text = [
    "#include <unistd.h>",
    "void report(int line);",
    "void f(int a, int b, int fd)",
    "{",
    "\tif (close(a) < 0)",
    "\t\treport(__LINE__);",
    '\tif (write(fd, "x", 1) != 1)',
    "\t\tgoto out;",
    "\tif (close(b) < 0) report(__LINE__);",
    '\twrite(fd, "y", 1);',
    "out:",
    "\treport(__LINE__);",
    "}",
    "",
  ].join("\n");
  const result = transformSource(text);
  assert.ok(result.output.includes("else if (dbatch_failed_ == 3)"), "one run, three checks");
  const dir = mkdtempSync(join(tmpdir(), "dbatch-line-"));
  const include = join(repo, "packages", "preload", "include");
  const lines = (name: string, source: string): number[] => {
    writeFileSync(join(dir, name), source);
    const pre = execFileSync("cc", ["-E", "-I", include, join(dir, name)], { encoding: "utf8" });
    return [...pre.matchAll(/report\((\d+)\)/g)].map((m) => Number(m[1]));
  };
  const original = lines("original.c", text);
  assert.equal(original, [6, 9, 12]);
  const copied = lines("copy.c", applyEditsWithLineDirectives(text, result.edits, "copy.c"));
  // In place, then in the flush: check 1's branch and its rest (check 3's
  // branch), check 3's branch; then the label's.
  assert.equal(copied, [6, 9, 6, 9, 9, 12]);
});

test("names with quotes and backslashes are escaped", () => {
  const out = applyEditsWithLineDirectives("x\n", [{ start: 0, end: 0, text: "y\n" }], 'a"b\\c.c');
  assert.is(out, '#line 1 "a\\"b\\\\c.c"\ny\n#line 1 "a\\"b\\\\c.c"\nx\n');
});

test.run();
