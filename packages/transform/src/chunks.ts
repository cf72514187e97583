// Splits a large file into pieces that are parsed and analysed one at a
// time, so memory follows the piece, not the file (a tree-sitter tree costs
// about 50 bytes of native memory per byte of dense C; the analysis's copy
// more). A piece ends only where a lexical scan is sure a top-level
// definition ended: after the `}` that closes a function body, or after a
// `;` followed by a blank line, outside any parenthesis, brace and
// preprocessor conditional. Where the scan loses track (braces unbalanced by
// `#if` branches, macros that open blocks), it never cuts again: the rest is
// one piece, which is correct, only larger.

import { conditionalKind, directiveEnd } from "./preprocessor.ts";

export interface Chunk {
  readonly start: number;
  readonly end: number;
}

/** The smallest piece a large file is cut into. */
export const defaultChunkSize = 64 * 1024;

/**
 * Up to this size a file is one piece (unless a caller sets the piece size):
 * its tree holds ~12 MB of native memory at most, and a file in pieces pays
 * a full garbage collection every 256 KiB parsed (parse.ts), which made a
 * 100 KB file 20% slower to transform.
 */
export const wholeFileSize = 256 * 1024;

/**
 * Piece boundaries: consecutive ranges covering the text, each at least
 * `minSize` long (the last may be shorter) unless the text is shorter.
 */
export function splitTopLevel(text: string, minSize = defaultChunkSize): Chunk[] {
  const n = text.length;
  if (n <= minSize) return [{ start: 0, end: n }];
  const chunks: Chunk[] = [];
  let chunkStart = 0;
  let braces = 0;
  let parens = 0;
  let conditionals = 0;
  // The last significant character before the `{` that opened depth 1.
  let openerAfter = "";
  let lastSignificant = "";
  // Where a cut may go (the start of the line after a definition), or -1.
  let candidate = -1;
  let lost = false;
  let lineStart = true;
  let i = 0;
  const cut = (at: number): void => {
    if (at - chunkStart >= minSize && n - at > 0) {
      chunks.push({ start: chunkStart, end: at });
      chunkStart = at;
    }
  };
  while (i < n && !lost) {
    const c = text.charCodeAt(i);
    // A preprocessor line (with its continuations) is skipped whole; only
    // conditionals are counted.
    if (lineStart && (c === 35 /* # */ || c === 32 || c === 9)) {
      let j = i;
      while (j < n && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
      if (text.charCodeAt(j) === 35) {
        const end = directiveEnd(text, j);
        const kind = conditionalKind(text.slice(i, Math.min(end, i + 64)));
        if (kind === "if") conditionals++;
        else if (kind === "endif" && --conditionals < 0) lost = true;
        i = end;
        continue;
      }
    }
    lineStart = false;
    switch (c) {
      case 10: // \n
        lineStart = true;
        if (candidate >= 0 && braces === 0 && parens === 0 && conditionals === 0) {
          cut(i + 1);
          candidate = -1;
        } else if (lastSignificant === ";" && braces === 0 && parens === 0) {
          // `;` then a blank line: a declaration ended (not a K&R parameter list).
          let j = i + 1;
          while (j < n && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
          if (text.charCodeAt(j) === 10 && conditionals === 0) cut(j + 1);
        }
        i++;
        continue;
      case 47: {
        // /
        const next = text.charCodeAt(i + 1);
        if (next === 42) {
          const close = text.indexOf("*/", i + 2);
          i = close < 0 ? n : close + 2;
          continue;
        }
        if (next === 47) {
          i = lineCommentEnd(text, i);
          continue;
        }
        break;
      }
      case 34: // "
      case 39: // '
        i = quotedEnd(text, i, c);
        lastSignificant = "x";
        continue;
      case 40: // (
        parens++;
        break;
      case 41: // )
        parens--;
        if (parens < 0) lost = true;
        break;
      case 123: // {
        if (braces === 0) openerAfter = lastSignificant;
        braces++;
        break;
      case 125: // }
        braces--;
        if (braces < 0) lost = true;
        // A function body (opened after `)` or a K&R `;`) ends here.
        if (braces === 0 && parens === 0 && (openerAfter === ")" || openerAfter === ";"))
          candidate = i + 1;
        break;
      default:
        if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) {
          i++;
          continue;
        }
    }
    if (c !== 125) candidate = -1;
    lastSignificant = text[i] ?? "";
    i++;
  }
  chunks.push({ start: chunkStart, end: n });
  return chunks;
}

/** End of a `//` comment: its line break, unless a backslash continues it. */
function lineCommentEnd(text: string, from: number): number {
  let i = from;
  for (;;) {
    const nl = text.indexOf("\n", i);
    if (nl < 0) return text.length;
    let k = nl - 1;
    if (text.charCodeAt(k) === 13) k--;
    if (text.charCodeAt(k) !== 92) return nl;
    i = nl + 1;
  }
}

/** Just past the closing quote of a string or character literal (or its line's end). */
function quotedEnd(text: string, from: number, quote: number): number {
  let i = from + 1;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === quote) return i + 1;
    if (c === 92) i += 2;
    else if (c === 10) return i;
    else i++;
  }
  return n;
}
