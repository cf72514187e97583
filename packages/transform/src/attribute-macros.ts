// Attribute-like macros that tree-sitter cannot parse: glibc's <sys/cdefs.h>
// spellings (__attribute_cold__, __attribute_warn_unused_result__, __wur,
// __THROW, __nonnull ((1, 2)), ...) and GCC's own __attribute__((...)) in
// places the grammar does not take it. Before a function they make the whole
// function a parse error, so it would not be batched at all. They are
// replaced by spaces of the same length for the parse and the analysis:
// every offset stays the same, so the edits apply to the text as written.
// They never hold a call the analysis needs.

const attributeMacro =
  /\b(?:__attribute_[a-z_]+__|__wur|__THROW|__THROWNL|__nonnull\s*\(\([^()]*\)\)|__attr_[a-z_]+(?:\s*\(\([^()]*\)\))?)(?![\w(])/g;

/** @text with each attribute-like macro blanked (same length, line breaks kept). */
export function blankAttributeMacros(text: string): string {
  if (!text.includes("__")) return text;
  return text.replace(attributeMacro, (m) => m.replace(/[^\n]/g, " "));
}
