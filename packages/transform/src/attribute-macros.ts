// Attribute-like macros that tree-sitter cannot parse: glibc's <sys/cdefs.h>
// spellings (__attribute_cold__, __attribute_warn_unused_result__, __wur,
// lighttpd's __attribute_nonnull__() with its argument list,
// __THROW, __nonnull ((1, 2)), ...) and GCC's own __attribute__((...)) in
// places the grammar does not take it. Before a function they make the whole
// function a parse error, so it would not be batched at all. They are
// replaced by spaces of the same length for the parse and the analysis:
// every offset stays the same, so the edits apply to the text as written.
// They never hold a call the analysis needs. A project names its own such
// macros (`dbatch-transform --macro NAME`): each use, with a parenthesised
// argument list if one follows, is blanked the same way.

const attributeMacro =
  /\b(?:__attribute_[a-z_]+__(?:\s*\((?:[^()]|\([^()]*\))*\))?|__wur|__THROW|__THROWNL|__nonnull\s*\(\([^()]*\)\)|__attr_[a-z_]+(?:\s*\(\([^()]*\)\))?)(?![\w(])/g;

const blank = (m: string): string => m.replace(/[^\n]/g, " ");

/** A C identifier: what a project macro name must be. */
export const macroNamePattern = /^[A-Za-z_]\w*$/;

function projectMacroPattern(names: readonly string[]): RegExp {
  // NAME, or NAME(...) with up to two levels of parentheses inside.
  return new RegExp(
    `\\b(?:${names.join("|")})\\b(?:\\s*\\((?:[^()]|\\((?:[^()]|\\([^()]*\\))*\\))*\\))?`,
    "g",
  );
}

/**
 * @text with each attribute-like macro blanked (same length, line breaks
 * kept): glibc's, and the project's own @names.
 */
export function blankAttributeMacros(text: string, names: readonly string[] = []): string {
  let out = text.includes("__") ? text.replace(attributeMacro, blank) : text;
  const own = names.filter((n) => macroNamePattern.test(n));
  if (own.length > 0) {
    // Not in directives: `#define local static` must keep its name.
    out = out.replace(projectMacroPattern(own), (m: string, offset: number, whole: string) => {
      const lineStart = whole.lastIndexOf("\n", offset - 1) + 1;
      return /^[ \t]*#/.test(whole.slice(lineStart, offset)) ? m : blank(m);
    });
  }
  return out;
}

// `#define NAME` or `#define NAME static` (storage classes, qualifiers,
// inline): a name code can only use as a declaration specifier or an
// annotation, which tree-sitter cannot read (gzip's `local`, `near`).
const specifierDefine =
  /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)[ \t]*((?:(?:static|extern|inline|__inline|__inline__|const|volatile|register|__extension__)[ \t]*)*)(?:\/\*.*?\*\/[ \t]*|\/\/.*)?$/gm;

/**
 * The object-like macros @text defines as nothing or as declaration
 * specifiers only: blanked for the parse like attribute macros (the file's
 * own are found here; the CLI adds its headers').
 */
export function specifierMacroNames(text: string): string[] {
  if (!text.includes("define")) return [];
  return [...text.matchAll(specifierDefine)].map((m) => m[1] ?? "").filter((n) => n !== "");
}
