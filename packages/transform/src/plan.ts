// Turns the runs to wrap into text edits: `batch_start();` before a run's
// first statement, `batch_flush();` after its last, and `#include <dbatch.h>`
// once. Inserted lines copy the anchor line's indentation and the file's line
// ending; a statement sharing its line with other code gets an inline insert.
import type { Stretch } from "./analyze-function.ts";
import type { SyntaxNode, SyntaxTree } from "./parse.ts";
import type { TextEdit } from "./rewrite.ts";
import type { SourceText } from "./source-text.ts";

export const startStatement = "batch_start();";
export const flushStatement = "batch_flush();";
export const includeLine = "#include <dbatch.h>";

export function planRunEdits(source: SourceText, run: Stretch): TextEdit[] {
  return [startEdit(source, run.first), flushEdit(source, run.last)];
}

function startEdit(source: SourceText, first: SyntaxNode): TextEdit {
  const at = first.startIndex;
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

function flushEdit(source: SourceText, last: SyntaxNode): TextEdit {
  const at = last.endIndex;
  const lineEnd = source.lineEnd(at);
  const rest = source.text.slice(at, lineEnd);
  if (restOfLineIsComment.test(rest) && !rest.trimEnd().endsWith("\\")) {
    const indent = source.indentation(last.startIndex);
    return { start: lineEnd, end: lineEnd, text: source.eol + indent + flushStatement };
  }
  return { start: at, end: at, text: " " + flushStatement };
}

/**
 * `#include <dbatch.h>` after the last top-level #include that comes before
 * the first run, else after the file's leading comments.
 */
export function planIncludeEdit(
  source: SourceText,
  tree: SyntaxTree,
  firstRunAt: number,
): TextEdit {
  let anchor: SyntaxNode | null = null;
  let leadingComment: SyntaxNode | null = null;
  let seenCode = false;
  for (const child of tree.rootNode.children) {
    if (child.startIndex >= firstRunAt) break;
    if (child.type === "preproc_include") anchor = child;
    if (child.type === "comment" && !seenCode) leadingComment = child;
    else seenCode = true;
  }
  const after = anchor ?? leadingComment;
  if (!after) return { start: 0, end: 0, text: includeLine + source.eol };
  // preproc_include ends after its line break; a comment ends on its last line.
  const lineEnd = source.lineEnd(anchor ? after.startIndex : after.endIndex);
  if (lineEnd >= source.text.length) {
    return { start: lineEnd, end: lineEnd, text: source.eol + includeLine };
  }
  const nextLine = source.text.indexOf("\n", lineEnd) + 1;
  return { start: nextLine, end: nextLine, text: includeLine + source.eol };
}
