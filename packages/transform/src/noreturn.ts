// Functions that never return, as C declares them: `_Noreturn`, `noreturn`,
// `[[noreturn]]` or `__attribute__((noreturn))` on a declaration. A checked
// call's failure branch that calls one leaves the run (analyze/checked.ts),
// and projects declare their own (`void write_fatal (void)
// __attribute__ ((noreturn));` in GNU patch's util.h). Lexical: each
// declaration up to its `;` or `{` that mentions noreturn names the
// identifier before its first parameter list.

import { withoutComments } from "./preprocessor.ts";

// `noreturn`, `_Noreturn`, `__noreturn__`: matched inside words on purpose.
const declaration = /[^;{}]*[Nn]oreturn[^;{}]*[;{]/g;
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
  for (const m of code.matchAll(declaration)) {
    for (const call of m[0].matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) {
      const name = call[1] ?? "";
      if (attributeWords.has(name) || name.startsWith("__attr")) continue;
      names.add(name);
      break;
    }
  }
  return names;
}
