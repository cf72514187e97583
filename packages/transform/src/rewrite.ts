// Applies text edits to the original text in one sorted pass. Edits never
// re-print the tree: everything outside them is kept byte for byte.

/** Replace text[start, end) with text; start === end inserts. UTF-16 offsets. */
export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export class OverlappingEditsError extends Error {
  constructor(
    readonly first: TextEdit,
    readonly second: TextEdit,
  ) {
    super(`overlapping edits: [${first.start}, ${first.end}) and [${second.start}, ${second.end})`);
    this.name = "OverlappingEditsError";
  }
}

/** Edits sorted by position; insertions at one offset keep their given order. */
export function sortEdits(edits: readonly TextEdit[]): TextEdit[] {
  return edits
    .map((edit, order) => ({ edit, order }))
    .sort((a, b) => a.edit.start - b.edit.start || a.edit.end - b.edit.end || a.order - b.order)
    .map(({ edit }) => edit);
}

/** The text with every edit applied. Throws OverlappingEditsError when two edits overlap. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = sortEdits(edits);
  const parts: string[] = [];
  let cursor = 0;
  let previous: TextEdit | null = null;
  for (const edit of sorted) {
    if (edit.start < 0 || edit.end < edit.start || edit.end > text.length) {
      throw new RangeError(`edit out of range: [${edit.start}, ${edit.end})`);
    }
    // Touching is fine (an insertion at a replacement's start goes before it).
    if (previous && edit.start < previous.end) throw new OverlappingEditsError(previous, edit);
    parts.push(text.slice(cursor, edit.start), edit.text);
    cursor = edit.end;
    previous = edit;
  }
  parts.push(text.slice(cursor));
  return parts.join("");
}
