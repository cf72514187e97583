// `#if`/`#ifdef` groups between the branches of an if-else chain:
//
//     if (a) { ... }
//     #ifdef HAVE_B
//     else if (b) { ... }
//     #endif
//     else { ... }
//
// tree-sitter-c reads a directive as a statement, so the `else` after it has
// no `if` and the whole function is a parse error. Such a group's directive
// lines (#if..., #elif, #else, #endif) are blanked for the parse, offsets
// unchanged: the analysis then sees every branch at once, a superset of any
// configuration (more calls, more hazards: never a batch one configuration
// would not allow). Edits stay balanced in every configuration: a run is a
// stretch of one statement list, so it either holds the whole if statement
// (its ends are outside the group) or lies inside one branch's block.
// A group is blanked only when one of its lines is directly followed by
// `else` (comments and blank lines aside), or directly preceded by one:
//
//     #ifdef USE_LOCKS
//     if (sql) a();
//     else
//     #endif
//     b();
//
// (lighttpd). There the if statement starts inside the group and ends after
// it: its ends differ per configuration, so a statement that crosses such a
// group's edge is a hazard (`crossedGroups`, statements.ts) and only
// statements wholly inside or outside it can be batched.
// Other groups are left as they are.

import {
  conditionalKind,
  directiveEnd,
  withoutComments,
  type ConditionalKind,
} from "./preprocessor.ts";

interface DirectiveLine {
  readonly start: number;
  /** Just past the line break (or the text's end). */
  readonly end: number;
  readonly kind: ConditionalKind;
}

/** Every conditional directive line, continuation lines included. */
function directiveLines(text: string): DirectiveLine[] {
  const lines: DirectiveLine[] = [];
  let at = 0;
  while (at < text.length) {
    const kind = conditionalKind(text.slice(at, at + 80));
    const lineEnd = kind ? directiveEnd(text, at) : text.indexOf("\n", at);
    const end = lineEnd < 0 || lineEnd >= text.length ? text.length : lineEnd + 1;
    if (kind) lines.push({ start: at, end, kind });
    at = end;
  }
  return lines;
}

/** Is the first code after @from the keyword `else`? (Blank lines, comments and other directives skipped.) */
function elseFollows(text: string, from: number): boolean {
  let i = from;
  for (;;) {
    while (i < text.length && /\s/.test(text[i] ?? "")) i++;
    if (text.startsWith("//", i)) {
      const nl = text.indexOf("\n", i);
      if (nl < 0) return false;
      i = nl + 1;
    } else if (text.startsWith("/*", i)) {
      const close = text.indexOf("*/", i + 2);
      if (close < 0) return false;
      i = close + 2;
    } else if (text[i] === "#") {
      const nl = text.indexOf("\n", i);
      if (nl < 0) return false;
      i = nl + 1;
    } else {
      return /^else\b/.test(text.slice(i, i + 5));
    }
  }
}

/** Is the last code before @to the keyword `else`? (Blank space and // comments skipped.) */
function elsePrecedes(text: string, to: number): boolean {
  const before = text.slice(Math.max(0, to - 200), to).replace(/\/\/[^\n]*$/gm, "");
  return /(?:^|[^\w])else\s*$/.test(before);
}

/**
 * [start, end) of a conditional group whose configurations a statement may
 * not straddle; with `opaque`, a statement may not touch it at all.
 */
export type ConditionalRange = readonly [start: number, end: number, opaque?: boolean];

interface Groups {
  /** Indices of the directive lines to blank. */
  readonly blank: Set<number>;
  /** [start, end) of text to blank besides those lines (a fragment group's other branches). */
  readonly blankText: [number, number][];
  /** The groups an `else` runs into, and the fragment groups (opaque; see the header). */
  readonly crossed: ConditionalRange[];
}

/** The last code character before @to, from @from (whitespace, comments and directives skipped), or "". */
function lastCode(text: string, from: number, to: number): string {
  const code = withoutComments(text.slice(from, to))
    // other directives (#include, #define) are not the branch's code
    .replace(/^[ \t]*#.*(?:\\\n.*)*$/gm, " ")
    .trimEnd();
  return code.at(-1) ?? "";
}

function chainedGroups(text: string, lines: readonly DirectiveLine[]): Groups {
  const blank = new Set<number>();
  const blankText: [number, number][] = [];
  const crossed: ConditionalRange[] = [];
  // Groups by nesting: each open group collects its lines' indices.
  const open: { members: number[]; chained: boolean; dangling: boolean }[] = [];
  lines.forEach((line, index) => {
    if (line.kind === "if") open.push({ members: [], chained: false, dangling: false });
    const group = open.at(-1);
    if (!group) return; // an #else or #endif without its #if: left alone
    group.members.push(index);
    if (line.kind !== "endif" && elseFollows(text, line.end)) group.chained = true;
    if (line.kind !== "if" && elsePrecedes(text, line.start)) group.dangling = true;
    if (line.kind === "endif") {
      open.pop();
      const first = lines[group.members[0] ?? index] as DirectiveLine;
      if (group.chained || group.dangling) {
        for (const m of group.members) blank.add(m);
        if (group.dangling) crossed.push([first.start, line.end]);
        return;
      }
      // A fragment group: a branch that ends inside a statement, such as
      // alternative `if (...)` headers before one body (lighttpd's
      // `if (0 == rename(...))` / `#else` / `if (0 == renameat2(...))`).
      // Parsed as its first branch alone; a statement touching it is a
      // hazard, so no edit lands in text a configuration does not have.
      const members = group.members;
      const nested = members.some((m, k) => k > 0 && m !== (members[k - 1] ?? 0) + 1);
      if (nested) return;
      const fragment = members.slice(0, -1).some((m, k) => {
        const from = (lines[m] as DirectiveLine).end;
        const to = (lines[members[k + 1] ?? m] as DirectiveLine).start;
        const last = lastCode(text, from, to);
        return last !== "" && !";{}".includes(last);
      });
      if (!fragment) return;
      for (const m of members) blank.add(m);
      const second = lines[members[1] ?? index] as DirectiveLine;
      if (second !== line) blankText.push([second.end, line.start]);
      crossed.push([first.start, line.end, true]);
    }
  });
  return { blank, blankText, crossed };
}

// Any conditional group may be a fragment group (chained ones need an else).
const mayGroup = (text: string): boolean => /^[ \t]*#[ \t]*endif/m.test(text);

/**
 * The conditional groups an `else` runs into (a statement that crosses one's
 * edge has different ends per configuration) and the fragment groups.
 */
export function crossedGroups(text: string): ConditionalRange[] {
  return mayGroup(text) ? chainedGroups(text, directiveLines(text)).crossed : [];
}

/** @text with the directive lines of conditional groups inside if-else chains blanked. */
export function blankConditionalElse(text: string): string {
  if (!mayGroup(text)) return text;
  const lines = directiveLines(text);
  const { blank, blankText } = chainedGroups(text, lines);
  if (blank.size === 0) return text;
  const ranges: [number, number][] = [
    ...[...blank].map((i): [number, number] => [
      (lines[i] as DirectiveLine).start,
      (lines[i] as DirectiveLine).end,
    ]),
    ...blankText,
  ].sort((a, b) => a[0] - b[0]);
  const parts: string[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start < at) continue;
    parts.push(text.slice(at, start), text.slice(start, end).replace(/[^\n]/g, " "));
    at = end;
  }
  parts.push(text.slice(at));
  return parts.join("");
}
