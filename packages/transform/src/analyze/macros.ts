// What the file's own #defines say about names, from a text scan of the
// #define lines (continuations joined; string and character literals and
// comments left out). Macros defined in headers are not seen; the file's own
// are the ones written around its functions.
//
// - Every name defined: a call of one is a macro's, not libc's
//   (`#define write my_write`).
// - Captured names: identifiers a body reads without taking them as
//   parameters. `#define SHOW() printf("%d\n", fd)` reads whatever `fd` is
//   where SHOW() is used, so a local variable a macro captures may be read
//   anywhere the macro is used: an open into such a variable is never one
//   whose number the run alone reads (fd-escape.ts). A body that pastes
//   tokens (`a##b`) may name any variable: then every name counts as
//   captured.
// - What a macro reads, through the file's other macros: a use of `FIRST`
//   (`#define FIRST (arr[0])`) reads `arr`, which a deferred read may not
//   have filled yet.
// - Pure macros: function-like macros every definition of which is an
//   expression without side effects (`#define READ_SIDE(fd)
//   (from_remote[fd][0])`): a call of one is an expression reading its
//   arguments and the names its body reads, and may sit in a run like any
//   such expression, after the definition. Not a macro the file also
//   #undefs, or tests with #ifndef/defined (a header may define it first),
//   nor one whose body uses a macro that is not pure (of the file, or an
//   ALL_CAPS name of a header, whose expansion is unknown).
import { looksLikeMacroName } from "../known-functions.ts";

export interface FileMacros {
  /** Every name the file #defines (function-like or not). */
  readonly names: ReadonlySet<string>;
  /** Identifiers the bodies read that are not parameters of theirs ("*": any, a body pastes). */
  readonly captured: ReadonlySet<string>;
  /** Every macro of the file: the names its bodies read, through the file's other macros. */
  readonly reads: ReadonlyMap<string, readonly string[]>;
  /** Macros of the file with a definition that is no side-effect-free expression. */
  readonly impure: ReadonlySet<string>;
  /** Pure function-like macros: where the first is defined. */
  readonly pure: ReadonlyMap<string, PureMacro>;
}

export interface PureMacro {
  /** Offset of the first definition: a call before it is no macro's. */
  readonly definedAt: number;
}

const defineLine = /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)/gm;
const identifier = /[A-Za-z_]\w*/g;
// Literals and comments, whose words name nothing.
const inert = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g;
// A body with any of these may do something: a statement or block, an
// assignment (not == != <= >=), an increment, a name pasted or stringized.
const sideEffect = /[;{}#]|\+\+|--|(?:^|[^=!<>])=(?!=)/;
// A name called: what it does is unknown (sizeof and friends only measure).
const called = /([A-Za-z_]\w*)\s*\(/g;
// A call through a parenthesised or subscripted expression (`(*fn)(x)`,
// `table[i](x)`); a cast before a parenthesis looks the same and is
// rejected with them.
const calledThrough = /[)\]]\s*\(/;
const measuring = new Set(["sizeof", "_Alignof", "alignof", "__alignof__", "offsetof"]);

function isPureBody(body: string): boolean {
  if (body.trim() === "" || sideEffect.test(body) || calledThrough.test(body)) return false;
  if (/\berrno\b/.test(body)) return false;
  for (const m of body.matchAll(called)) if (!measuring.has(m[1] ?? "")) return false;
  return true;
}

interface Definition {
  readonly functionLike: boolean;
  /** Identifiers the body reads that are not parameters. */
  readonly reads: readonly string[];
  readonly pureBody: boolean;
  readonly at: number;
}

export function fileMacros(text: string): FileMacros {
  const definitions = new Map<string, Definition[]>();
  const captured = new Set<string>();
  defineLine.lastIndex = 0;
  for (let m = defineLine.exec(text); m; m = defineLine.exec(text)) {
    const name = m[1] ?? "";
    let end = m.index + m[0].length;
    // The logical line: a trailing backslash continues it.
    for (;;) {
      const eol = text.indexOf("\n", end);
      if (eol < 0) {
        end = text.length;
        break;
      }
      end = eol;
      if (!/\\\r?$/.test(text.slice(Math.max(m.index, eol - 2), eol))) break;
      end = eol + 1;
    }
    let rest = text.slice(m.index + m[0].length, end);
    const parameters = new Set<string>();
    // Function-like: "(" right after the name.
    const params = /^\(([^)]*)\)/.exec(rest);
    if (params) {
      for (const p of (params[1] ?? "").split(",")) parameters.add(p.trim());
      rest = rest.slice(params[0].length);
    }
    const body = rest.replace(inert, " 0 ").replace(/\\\r?\n/g, " ");
    if (body.includes("##")) captured.add("*");
    const reads: string[] = [];
    for (const word of body.match(identifier) ?? []) {
      if (!parameters.has(word) && word !== "__VA_ARGS__") {
        captured.add(word);
        reads.push(word);
      }
    }
    const list = definitions.get(name) ?? [];
    list.push({ functionLike: params !== null, reads, pureBody: isPureBody(body), at: m.index });
    definitions.set(name, list);
  }
  // Undefined somewhere, or tested: what a use means depends on more than this file.
  const impure = new Set<string>();
  for (const m of text.matchAll(/^[ \t]*#[ \t]*(?:undef|ifndef|ifdef)[ \t]+([A-Za-z_]\w*)/gm)) {
    if (definitions.has(m[1] ?? "")) impure.add(m[1] ?? "");
  }
  for (const m of text.matchAll(/\bdefined\s*\(?\s*([A-Za-z_]\w*)/g)) {
    if (definitions.has(m[1] ?? "")) impure.add(m[1] ?? "");
  }
  for (const [name, defs] of definitions) if (defs.some((d) => !d.pureBody)) impure.add(name);
  // A body using an impure macro, or an ALL_CAPS name no define of the file
  // gives, is impure too: until nothing changes.
  const usesImpure = (reads: readonly string[]): boolean =>
    reads.some((r) => impure.has(r) || (!definitions.has(r) && looksLikeMacroName(r)));
  for (let changed = true; changed;) {
    changed = false;
    for (const [name, defs] of definitions) {
      if (!impure.has(name) && defs.some((d) => usesImpure(d.reads))) {
        impure.add(name);
        changed = true;
      }
    }
  }
  const reads = new Map<string, readonly string[]>();
  const expand = (name: string): readonly string[] => {
    const known = reads.get(name);
    if (known) return known;
    reads.set(name, []); // a macro naming itself expands no further
    const found = new Set<string>();
    for (const d of definitions.get(name) ?? []) {
      for (const r of d.reads) {
        found.add(r);
        if (definitions.has(r)) for (const inner of expand(r)) found.add(inner);
      }
    }
    const list = [...found];
    reads.set(name, list);
    return list;
  };
  const pure = new Map<string, PureMacro>();
  for (const [name, defs] of definitions) {
    expand(name);
    if (!impure.has(name) && defs.every((d) => d.functionLike)) {
      pure.set(name, { definedAt: defs[0]?.at ?? 0 });
    }
  }
  return { names: new Set(definitions.keys()), captured, reads, impure, pure };
}
