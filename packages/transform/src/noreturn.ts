// Functions that never return, as C declares them: `_Noreturn`, `noreturn`,
// `[[noreturn]]` or `__attribute__((noreturn))` on a declaration. A checked
// call's failure branch that calls one leaves the run (analyze/checked.ts),
// and projects declare their own (`void write_fatal (void)
// __attribute__ ((noreturn));` in GNU patch's util.h). Lexical: each
// declaration up to its `;` or `{` that mentions noreturn names the
// identifier before its first parameter list.

import { withoutComments } from "./preprocessor.ts";

// `noreturn`, `_Noreturn`, `__noreturn__`: matched inside words on purpose.
const mention = /[Nn]oreturn/g;
const delimiters = new Set([";", "{", "}"]);
const attributeWords = new Set([
  "__attribute__",
  "__attribute",
  "__declspec",
  "_Noreturn",
  "noreturn",
  "__noreturn__",
  "extern",
  "static",
  "inline",
]);

/** The names of the functions @text declares or defines as never returning. */
export function noreturnNames(text: string): Set<string> {
  const names = new Set<string>();
  if (!/[Nn]oreturn/.test(text)) return names;
  // Comments out first: one like `... noreturn call; the run (the ...` would
  // otherwise start the next match and lend it its first `name (`, hiding
  // the declaration after it. Strings could only add names that then never
  // match a call.
  const code = withoutComments(text);
  for (const declaration of declarationsMentioning(code)) {
    for (const call of declaration.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) {
      const name = call[1] ?? "";
      if (attributeWords.has(name) || name.startsWith("__attr")) continue;
      names.add(name);
      break;
    }
  }
  return names;
}

/**
 * Each stretch between two of `;` `{` `}` that mentions noreturn and ends
 * in `;` or `{` (a declaration, or a definition's head), with its end. In
 * one pass from each mention: a regular expression that starts a match at
 * every position (`[^;{}]*noreturn...`) backtracks over each long stretch
 * once per character of it, minutes on a file of tables such as
 * tree-sitter's parser.c.
 */
function* declarationsMentioning(code: string): Generator<string> {
  let from = 0;
  mention.lastIndex = 0;
  for (let m = mention.exec(code); m; m = mention.exec(code)) {
    let end = m.index;
    while (end < code.length && !delimiters.has(code[end] ?? "")) end++;
    if (end < code.length && code[end] !== "}") {
      let start = m.index;
      while (start > from && !delimiters.has(code[start - 1] ?? "")) start--;
      yield code.slice(start, end + 1);
    }
    from = end + 1;
    mention.lastIndex = from;
  }
}

/**
 * Which of @names the file defines itself (`static void err(int e, const
 * char *s) { ... }`): then the name is that function, not libc's that never
 * returns. Lexical: the name, its parameter list, and `{` next.
 */
export function ownDefinitions(text: string, names: Iterable<string>): Set<string> {
  const own = new Set<string>();
  let code: string | null = null;
  for (const name of names) {
    if (!text.includes(name)) continue;
    code ??= withoutComments(text);
    for (const m of code.matchAll(new RegExp(`\\b${name}\\s*\\(`, "g"))) {
      let end = (m.index ?? 0) + m[0].length;
      while (end < code.length && !delimiters.has(code[end] ?? "")) end++;
      if (code[end] === "{" && code.slice(0, end).trimEnd().endsWith(")")) {
        own.add(name);
        break;
      }
    }
  }
  return own;
}
