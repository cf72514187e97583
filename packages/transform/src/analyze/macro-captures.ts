// Names a #define of the file reads without taking them as parameters:
// `#define SHOW() printf("%d\n", fd)` reads whatever `fd` is where SHOW()
// is used. The analysis sees only the macro's name at that use, so a local
// variable a macro captures may be read anywhere the macro is used: an
// open into such a variable is never one whose number the run alone reads
// (fd-escape.ts).
//
// A text scan of the #define lines (continuations joined), string and
// character literals and comments left out. Macros defined in headers are
// not seen; the file's own are the ones written around its functions.

const defineLine = /^[ \t]*#[ \t]*define[ \t]+[A-Za-z_]\w*/gm;
const identifier = /[A-Za-z_]\w*/g;
// Literals and comments, whose words name nothing.
const inert = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g;

/** Every identifier the bodies of the file's #defines read that is not a parameter of theirs. */
export function macroCapturedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (let m = defineLine.exec(text); m; m = defineLine.exec(text)) {
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
    for (const word of rest.replace(inert, " ").match(identifier) ?? []) {
      if (!parameters.has(word) && word !== "__VA_ARGS__") names.add(word);
    }
  }
  return names;
}
