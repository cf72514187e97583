// The transformed text for a compiler rather than for the user's tree: every
// inserted line is followed by a `#line` directive, so __LINE__, __FILE__,
// assert() messages and the compiler's own diagnostics name the user's file
// and line, as if the program had been compiled as written.
import { applyEdits, sortEdits, type TextEdit } from "./rewrite.ts";
import { SourceText } from "./source-text.ts";

/** A C string literal for a file name in a #line directive. */
function quoted(fileName: string): string {
  return `"${fileName.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/**
 * The text with the edits applied and `#line` directives where an edit adds
 * line breaks: after the edit, the next line is numbered as the original line
 * it comes from. Edits without a line break change no line number and get none.
 */
export function applyEditsWithLineDirectives(
  text: string,
  edits: readonly TextEdit[],
  fileName: string,
): string {
  const name = quoted(fileName);
  const sorted = sortEdits(edits);
  const source = new SourceText(text);
  const lineAt = (offset: number): number => source.position(offset).line;
  const synced = sorted.map((edit): TextEdit => {
    const copies = edit.copies ?? [];
    if (!edit.text.includes("\n") && copies.length === 0) return edit;
    const eol = edit.text.includes("\n")
      ? edit.text.includes("\r\n")
        ? "\r\n"
        : "\n"
      : source.eol;
    // Copied code is numbered as the line it comes from (__LINE__ in a
    // failure branch run after the flush): a directive on a line of its own
    // before each copy. The code after a copy stays on its last line.
    let body = "";
    let from = 0;
    for (const copy of copies) {
      body += edit.text.slice(from, copy.at) + eol + `#line ${lineAt(copy.from)} ${name}` + eol;
      from = copy.at;
    }
    body += edit.text.slice(from);
    const directive = `#line ${lineAt(edit.end)} ${name}`;
    // At a line start the directive gets its own line; mid-line (before the
    // original line break, or code) it starts one, and what follows keeps
    // the original line's number.
    const tail = body.endsWith("\n") ? directive + eol : eol + directive + eol;
    return { start: edit.start, end: edit.end, text: body + tail };
  });
  const bom = text.startsWith("\uFEFF") ? 1 : 0;
  const head: TextEdit = { start: bom, end: bom, text: `#line 1 ${name}\n` };
  return applyEdits(text, [head, ...synced]);
}
