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
//   whose number the run alone reads (fd-escape.ts).
// - Pure macros: function-like macros every definition of which is an
//   expression without side effects (`#define READ_SIDE(fd)
//   (from_remote[fd][0])`): a call of one is an expression reading its
//   arguments and the names its body captures, and may sit in a run like
//   any such expression, after the definition. Not a macro the file also
//   #undefs, or tests with #ifndef/defined (a header may define it first).

export interface FileMacros {
  /** Every name the file #defines (function-like or not). */
  readonly names: ReadonlySet<string>;
  /** Identifiers the bodies read that are not parameters of theirs. */
  readonly captured: ReadonlySet<string>;
  /** Pure function-like macros: the names their bodies capture, where the first is defined. */
  readonly pure: ReadonlyMap<string, PureMacro>;
}

export interface PureMacro {
  readonly reads: readonly string[];
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

export function fileMacros(text: string): FileMacros {
  const names = new Set<string>();
  const captured = new Set<string>();
  const pure = new Map<string, PureMacro>();
  // Undefined somewhere, or tested: what a call means depends on more than this file.
  const impure = new Set<string>();
  for (const m of text.matchAll(/^[ \t]*#[ \t]*(?:undef|ifndef|ifdef)[ \t]+([A-Za-z_]\w*)/gm)) {
    impure.add(m[1] ?? "");
  }
  for (const m of text.matchAll(/\bdefined\s*\(?\s*([A-Za-z_]\w*)/g)) impure.add(m[1] ?? "");
  defineLine.lastIndex = 0;
  for (let m = defineLine.exec(text); m; m = defineLine.exec(text)) {
    const name = m[1] ?? "";
    names.add(name);
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
    const reads: string[] = [];
    for (const word of body.match(identifier) ?? []) {
      if (!parameters.has(word) && word !== "__VA_ARGS__") {
        captured.add(word);
        reads.push(word);
      }
    }
    if (!params || impure.has(name) || !isPureBody(body)) {
      impure.add(name);
      pure.delete(name);
    } else {
      const known = pure.get(name);
      pure.set(name, {
        reads: [...(known?.reads ?? []), ...reads],
        definedAt: known?.definedAt ?? m.index,
      });
    }
  }
  return { names, captured, pure };
}
