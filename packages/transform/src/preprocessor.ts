// Preprocessor lines and comments as the lexical scans see them (chunks.ts,
// conditional-else.ts, noreturn.ts): where a directive ends, which
// conditional it is, the text without its comments.

export type ConditionalKind = "if" | "elif" | "else" | "endif";

const conditional = /^[ \t]*#[ \t]*(if|ifdef|ifndef|elif|elifdef|elifndef|else|endif)\b/;

/** The conditional directive a line starts with (#if, #ifdef, #elif, ...), or null. */
export function conditionalKind(lineStart: string): ConditionalKind | null {
  const word = conditional.exec(lineStart)?.[1];
  if (word === undefined) return null;
  if (word.startsWith("elif")) return "elif";
  if (word === "else" || word === "endif") return word;
  return "if";
}

/**
 * End of the directive starting at or after @from on its line: the line
 * break not preceded by a backslash (a block comment may hide one), or the
 * text's end.
 */
export function directiveEnd(text: string, from: number): number {
  let i = from;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) return i;
    if (c === 92 /* \ */ && text.charCodeAt(i + 1) === 10) i += 2;
    else if (c === 92 && text.charCodeAt(i + 1) === 13 && text.charCodeAt(i + 2) === 10) i += 3;
    else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const close = text.indexOf("*/", i + 2);
      i = close < 0 ? n : close + 2;
    } else i++;
  }
  return n;
}

/**
 * @text with its comments replaced by a space each (strings are not told
 * apart: a caller that only looks for code tokens loses nothing by that).
 */
export function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, " ");
}
