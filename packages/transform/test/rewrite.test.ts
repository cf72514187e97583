// Edit application: one sorted pass, insertions keep their order, overlaps
// are refused, and text outside the edits is kept byte for byte.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { OverlappingEditsError, applyEdits, editedPieces, sortEdits } from "../src/rewrite.ts";

test("applies edits given in any order", () => {
  const text = "abcdef";
  const out = applyEdits(text, [
    { start: 4, end: 5, text: "E" },
    { start: 0, end: 0, text: ">" },
    { start: 2, end: 3, text: "" },
  ]);
  assert.is(out, ">abdEf");
});

test("insertions at one offset keep their given order", () => {
  const out = applyEdits("xy", [
    { start: 1, end: 1, text: "1" },
    { start: 1, end: 1, text: "2" },
  ]);
  assert.is(out, "x12y");
});

test("an insertion right after a replacement is fine", () => {
  assert.is(
    applyEdits("abc", [
      { start: 0, end: 1, text: "A" },
      { start: 1, end: 1, text: "+" },
    ]),
    "A+bc",
  );
});

test("overlapping replacements are rejected", () => {
  assert.throws(
    () =>
      applyEdits("abcdef", [
        { start: 1, end: 4, text: "x" },
        { start: 3, end: 5, text: "y" },
      ]),
    (e: unknown) => e instanceof OverlappingEditsError,
  );
});

test("an insertion inside a replaced range is rejected", () => {
  assert.throws(
    () =>
      applyEdits("abcdef", [
        { start: 1, end: 4, text: "x" },
        { start: 2, end: 2, text: "y" },
      ]),
    (e: unknown) => e instanceof OverlappingEditsError,
  );
});

test("an insertion at a replacement's start goes before it", () => {
  assert.is(
    applyEdits("abc", [
      { start: 1, end: 2, text: "x" },
      { start: 1, end: 1, text: "y" },
    ]),
    "ayxc",
  );
});

test("out-of-range edits are rejected", () => {
  assert.throws(() => applyEdits("abc", [{ start: 2, end: 9, text: "" }]), RangeError);
  assert.throws(() => applyEdits("abc", [{ start: 2, end: 1, text: "" }]), RangeError);
});

test("UTF-16 offsets: non-ASCII text before an edit is kept", () => {
  const text = "é😀x";
  assert.is(
    applyEdits(text, [{ start: text.indexOf("x"), end: text.indexOf("x"), text: "!" }]),
    "é😀!x",
  );
});

test("sortEdits is stable for equal offsets", () => {
  const edits = [
    { start: 3, end: 3, text: "b" },
    { start: 1, end: 1, text: "a" },
    { start: 3, end: 3, text: "c" },
  ];
  assert.equal(
    sortEdits(edits).map((e) => e.text),
    ["a", "b", "c"],
  );
});

test("editedPieces: the same text as applyEdits, in pieces that end only at edits", () => {
  // Astral characters (surrogate pairs) everywhere between the edits: a piece
  // cut inside the text between two edits could split one.
  const text = "😀a😀b😀c😀d😀e😀";
  const edits = [
    { start: 12, end: 12, text: "[" },
    { start: 2, end: 3, text: "A" },
    { start: 5, end: 5, text: "<" },
    { start: 8, end: 9, text: "" },
  ];
  for (const size of [1, 2, 5, 1 << 20]) {
    const pieces = [...editedPieces(text, edits, size)];
    assert.is(pieces.join(""), applyEdits(text, edits), `piece size ${size}`);
    for (const piece of pieces) {
      assert.not.ok(/[\uD800-\uDBFF]$/.test(piece), `a piece ends in half a pair: ${piece}`);
    }
    if (size === 1) assert.is(pieces.length, edits.length + 1);
  }
  // Refused before any piece is produced: a writer has nothing half written.
  const pieces = editedPieces(text, [...edits, { start: 2, end: 4, text: "x" }], 1);
  assert.throws(() => pieces.next(), /overlapping edits/);
});

test.run();
