// Large files are analysed in pieces cut at top-level definitions: a cut in
// the wrong place would split a definition and lose its runs (or invent parse
// errors). Each rule of the splitter has a file that would break it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { splitTopLevel } from "../src/chunks.ts";
import { transformSource, transformSourceAsync } from "../src/index.ts";
import { fixtureCases } from "./fixture-cases.ts";

const pieceTexts = (text: string): string[] =>
  splitTopLevel(text, 1).map((c) => text.slice(c.start, c.end));

test("pieces cover the text in order, without gaps", () => {
  const text = "int a;\n\nvoid f(void) { }\nvoid g(void) { }\n";
  const chunks = splitTopLevel(text, 1);
  assert.is(chunks[0]?.start, 0);
  assert.is(chunks.at(-1)?.end, text.length);
  for (let i = 1; i < chunks.length; i++) assert.is(chunks[i]?.start, chunks[i - 1]?.end);
  assert.equal(pieceTexts(text), ["int a;\n\n", "void f(void) { }\n", "void g(void) { }\n"]);
});

test("a file below the piece size is one piece", () => {
  const text = "void f(void) { }\nvoid g(void) { }\n";
  assert.equal(splitTopLevel(text), [{ start: 0, end: text.length }]);
});

test("never inside a K&R parameter list, a struct with its declarator, or an initializer", () => {
  const knr = "int f(a, b)\nint a;\nint b;\n{ return a; }\n";
  assert.equal(pieceTexts(knr), [knr]);
  const struct = "struct s {\n\tint x;\n}\nvar;\n";
  assert.equal(pieceTexts(struct), [struct]);
  const init = "int t[] = {\n1,\n2\n};\n\nint u;\n";
  assert.equal(pieceTexts(init), ["int t[] = {\n1,\n2\n};\n\n", "int u;\n"]);
});

test("braces in strings, characters and comments do not count", () => {
  const text = [
    'void f(void) { puts("}"); }',
    "void g(void) { char c = '}'; /* } */ }",
    "// } \\",
    "}",
    "void h(void) { }",
    "",
  ].join("\n");
  assert.equal(pieceTexts(text), [
    'void f(void) { puts("}"); }\n',
    "void g(void) { char c = '}'; /* } */ }\n",
    "// } \\\n}\nvoid h(void) { }\n",
  ]);
});

test("never inside #if branches; a directive's braces do not count", () => {
  const branches = [
    "#ifdef A",
    "void f(int a) {",
    "#else",
    "void f(void) {",
    "#endif",
    "}",
    "void g(void) { }",
    "",
  ].join("\n");
  // The branches open two braces that close once: the scan gives up, one piece.
  assert.equal(pieceTexts(branches), [branches]);
  const guarded = "#if X\nvoid f(void) { }\nvoid g(void) { }\n#endif\nvoid h(void) { }\n";
  // Not between f and g (inside #if); after #endif, yes.
  assert.equal(pieceTexts(guarded), [
    "#if X\nvoid f(void) { }\nvoid g(void) { }\n#endif\n",
    "void h(void) { }\n",
  ]);
  const macro = "#define OPEN {\nvoid f(void) { }\nvoid g(void) { }\n";
  assert.equal(pieceTexts(macro), ["#define OPEN {\nvoid f(void) { }\n", "void g(void) { }\n"]);
});

test("every fixture gives the same result in the smallest pieces as whole", () => {
  let split = 0;
  for (const c of fixtureCases()) {
    if (splitTopLevel(c.input, 1).length > 1) split++;
    const whole = transformSource(c.input, c.options);
    const pieces = transformSource(c.input, { ...c.options, chunkSize: 1 });
    assert.equal(pieces, whole, c.name);
  }
  assert.ok(split >= 10, `only ${split} fixtures have several pieces`);
});

test("a definition in a later piece of a name an earlier piece calls still wins", () => {
  const text = [
    "void f(int fd) {",
    '\twrite(fd, "a", 1);',
    '\twrite(fd, "b", 1);',
    "}",
    "int write(int fd, const void *b, unsigned long n) { return 0; }",
    "",
  ].join("\n");
  const whole = transformSource(text);
  assert.is(whole.runs.length, 0, "write is the file's own");
  assert.equal(transformSource(text, { chunkSize: 1 }), whole);
});

test("the asynchronous form gives the same result", async () => {
  for (const c of fixtureCases().slice(0, 10)) {
    const pieces = await transformSourceAsync(c.input, { ...c.options, chunkSize: 1 });
    assert.equal(pieces, transformSource(c.input, c.options), c.name);
  }
});

test.run();
