// Turns the runs to wrap into text edits: `batch_start();` before a run's
// first statement, `batch_flush();` after its last, and `#include <dbatch.h>`
// once. Inserted lines copy the anchor line's indentation and the file's line
// ending; a statement sharing its line with other code gets an inline insert.
import { batchOpenUnseenName } from "./known-functions.ts";
import type { CallSpan, CheckRecord } from "./records.ts";
import type { TopLevelEntry } from "./syntax-tree.ts";
import type { TextCopy, TextEdit } from "./rewrite.ts";
import type { SourceText } from "./source-text.ts";

export const startStatement = "batch_start();";
export const flushStatement = "batch_flush();";
export const includeLine = "#include <dbatch.h>";

/**
 * Plans the edits of a file's runs: for a run whose first statement starts at
 * @firstStart and whose last spans @lastStart..@lastEnd, its two edits. The
 * inserted texts differ only by indentation, so each distinct text is one
 * string shared by every edit that inserts it (a large file has 10^5 edits).
 */
export function runEditPlanner(
  source: SourceText,
): (
  firstStart: number,
  lastStart: number,
  lastEnd: number,
  checks: readonly CheckRecord[],
  unseenOpens: readonly CallSpan[],
) => TextEdit[] {
  const texts = new Map<string, string>();
  const shared = (text: string): string => {
    const known = texts.get(text);
    if (known !== undefined) return known;
    texts.set(text, text);
    return text;
  };
  return (firstStart, lastStart, lastEnd, checks, unseenOpens) => {
    const start = startEdit(source, firstStart);
    // An open whose number the run never reads: the library may record it
    // without knowing the number (a stand-in, see <dbatch.h>).
    const opens = unseenOpens.flatMap((o) => wrapCall(o, openUnseenPrefix));
    if (checks.length === 0) {
      const flush = flushEdit(source, lastStart, lastEnd, flushStatement);
      return [
        { ...start, text: shared(start.text) },
        ...opens,
        { ...flush, text: shared(flush.text) },
      ];
    }
    // Each checked call reports to the library which check it is; the
    // flush says which one failed, and its failure branch runs there.
    const wraps = checks.flatMap((c, i) =>
      wrapCall(c, `batch_checked(${i + 1}, ${checkKinds[c.kind]}, ${c.expected}, `),
    );
    const { text, copies } = checkedFlush(checks);
    const flush = flushEdit(source, lastStart, lastEnd, text);
    // The flush text goes after what flushEdit puts before it.
    const shift = flush.text.length - text.length;
    const moved = copies.map((c) => ({ at: c.at + shift, from: c.from }));
    return [start, ...opens, ...wraps, { ...flush, copies: moved }];
  };
}

const openUnseenPrefix = `${batchOpenUnseenName}(`;

/** The two insertions that wrap a call as `prefix...call...)`. */
function wrapCall(call: CallSpan, prefix: string): TextEdit[] {
  return [
    { start: call.callStart, end: call.callStart, text: prefix },
    { start: call.callEnd, end: call.callEnd, text: ")" },
  ];
}

const checkKinds = { error: "DBATCH_CHECK_ERROR", count: "DBATCH_CHECK_COUNT" } as const;

/**
 * The flush of a run with checked calls, on one line: the failure branch of
 * the check that failed, as written (its jump or noreturn call leaves from
 * the same statement list the check was in). A branch that goes on is
 * followed by the rest of the run as written: the failed check cancelled
 * those calls, and they now run as the original runs them, after the branch.
 */
function checkedFlush(checks: readonly CheckRecord[]): { text: string; copies: TextCopy[] } {
  const prefix = "{ int dbatch_failed_ = batch_flush_checked(); ";
  // Built with the offsets of the copies in it, for #line directives.
  let branches = "";
  const copies: TextCopy[] = [];
  const copy = (text: string, from: number): void => {
    copies.push({ at: prefix.length + branches.length, from });
    branches += text;
  };
  checks.forEach((c, i) => {
    if (c.variable !== null || c.chained) return;
    // The calls of an `||` chain (tags i+1..last) share the first's branch.
    let last = i + 1;
    while (checks[last]?.chained) last++;
    const which =
      last === i + 1
        ? `dbatch_failed_ == ${i + 1}`
        : `dbatch_failed_ >= ${i + 1} && dbatch_failed_ <= ${last}`;
    branches += `${branches === "" ? "" : " else "}if (${which}) `;
    if (c.rest === "") {
      copy(c.failure, c.failureStart);
    } else {
      branches += "{ ";
      copy(c.failure, c.failureStart);
      copy(c.rest, c.restStart);
      branches += " }";
    }
  });
  // A check read through a variable (the run's last call): the variable gets
  // the call's real value, and the program's own `if` after the run decides.
  const assigned = checks
    .map((c, i) =>
      c.variable === null ? "" : `${c.variable} = batch_checked_value(${i + 1}, ${c.variable});`,
    )
    .filter((a) => a !== "")
    .join(" ");
  const body = [branches, assigned].filter((p) => p !== "").join(" ");
  return branches === ""
    ? { text: `{ (void)batch_flush_checked(); ${assigned} }`, copies: [] }
    : { text: `${prefix}${body} }`, copies };
}

function startEdit(source: SourceText, at: number): TextEdit {
  const lineStart = source.lineStart(at);
  const before = source.text.slice(lineStart, at);
  if (/^[ \t]*$/.test(before)) {
    return { start: lineStart, end: lineStart, text: before + startStatement + source.eol };
  }
  return { start: at, end: at, text: startStatement + " " };
}

// What may follow the run's last statement on its line for the flush to go on
// a line of its own: nothing, or a comment that ends on that line.
const restOfLineIsComment = /^[ \t]*(?:\/\/.*|\/\*(?:(?!\*\/).)*\*\/[ \t]*)?$/;

function flushEdit(source: SourceText, lastStart: number, at: number, statement: string): TextEdit {
  const lineEnd = source.lineEnd(at);
  const rest = source.text.slice(at, lineEnd);
  if (restOfLineIsComment.test(rest) && !rest.trimEnd().endsWith("\\")) {
    const indent = source.indentation(lastStart);
    return { start: lineEnd, end: lineEnd, text: source.eol + indent + statement };
  }
  return { start: at, end: at, text: " " + statement };
}

/**
 * `#include <dbatch.h>` after the last top-level #include that comes before
 * the first run, else after the file's leading comments.
 */
export function planIncludeEdit(
  source: SourceText,
  topLevel: readonly TopLevelEntry[],
  firstRunAt: number,
): TextEdit {
  let anchor: TopLevelEntry | null = null;
  let leadingComment: TopLevelEntry | null = null;
  let seenCode = false;
  for (const entry of topLevel) {
    if (entry.startIndex >= firstRunAt) break;
    if (entry.type === "preproc_include") anchor = entry;
    if (entry.type === "comment" && !seenCode) leadingComment = entry;
    else seenCode = true;
  }
  const after = anchor ?? leadingComment;
  if (!after) {
    // A byte-order mark must stay the file's first character.
    const top = source.text.startsWith("\uFEFF") ? 1 : 0;
    return { start: top, end: top, text: includeLine + source.eol };
  }
  // preproc_include ends after its line break; a comment ends on its last line.
  let lineEnd = source.lineEnd(anchor ? after.startIndex : after.endIndex);
  // `#include <x.h> /* a comment that goes on` : insert after the comment.
  const line = source.text.slice(after.startIndex, lineEnd);
  const opened = line.lastIndexOf("/*");
  if (anchor && opened >= 0 && line.indexOf("*/", opened) < 0) {
    const closed = source.text.indexOf("*/", lineEnd);
    if (closed >= 0) lineEnd = source.lineEnd(closed);
  }
  if (lineEnd >= source.text.length) {
    return { start: lineEnd, end: lineEnd, text: source.eol + includeLine };
  }
  const nextLine = source.text.indexOf("\n", lineEnd) + 1;
  return { start: nextLine, end: nextLine, text: includeLine + source.eol };
}
