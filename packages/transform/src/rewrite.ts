// Applies text edits to the original text in one sorted pass. Edits never
// re-print the tree: everything outside them is kept byte for byte.

/** Replace text[start, end) with text; start === end inserts. UTF-16 offsets. */
export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /**
   * Parts of `text` copied from the original text (a checked run's failure
   * branches, in its flush), in order: for a compiler, each is numbered as
   * the line it was copied from (line-directives.ts).
   */
  readonly copies?: readonly TextCopy[];
}

/** `text` from offset `at` on is a copy of the original text from offset `from`. */
export interface TextCopy {
  readonly at: number;
  readonly from: number;
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
  // The transform's edits mostly come in order: no wrapper per edit then.
  if (isSorted(edits)) return edits.slice();
  return edits
    .map((edit, order) => ({ edit, order }))
    .sort((a, b) => a.edit.start - b.edit.start || a.edit.end - b.edit.end || a.order - b.order)
    .map(({ edit }) => edit);
}

function isSorted(edits: readonly TextEdit[]): boolean {
  for (let i = 1; i < edits.length; i++) {
    const a = edits[i - 1] as TextEdit;
    const b = edits[i] as TextEdit;
    if (b.start < a.start || (b.start === a.start && b.end < a.end)) return false;
  }
  return true;
}

/** The text with every edit applied. Throws OverlappingEditsError when two edits overlap. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  return [...editedPieces(text, edits)].join("");
}

/**
 * The edited text in pieces of about @pieceSize characters, in order, for a
 * writer that need not hold the whole result (a 20 MB file's output would be
 * a second copy of it). Pieces end only where an edit starts or ends, never
 * inside the text between two edits, so a surrogate pair is never split.
 * Throws like applyEdits, before the first piece for an edit out of range.
 */
export function* editedPieces(
  text: string,
  edits: readonly TextEdit[],
  pieceSize = 1 << 20,
): Generator<string> {
  // The transform's own edits come sorted: no second copy of them then.
  const sorted = isSorted(edits) ? edits : sortEdits(edits);
  let previous: TextEdit | null = null;
  for (const edit of sorted) {
    if (edit.start < 0 || edit.end < edit.start || edit.end > text.length) {
      throw new RangeError(`edit out of range: [${edit.start}, ${edit.end})`);
    }
    // Touching is fine (an insertion at a replacement's start goes before it).
    if (previous && edit.start < previous.end) throw new OverlappingEditsError(previous, edit);
    previous = edit;
  }
  let parts: string[] = [];
  let size = 0;
  let cursor = 0;
  for (const edit of sorted) {
    const kept = text.slice(cursor, edit.start);
    parts.push(kept, edit.text);
    size += kept.length + edit.text.length;
    cursor = edit.end;
    if (size >= pieceSize) {
      yield parts.join("");
      parts = [];
      size = 0;
    }
  }
  parts.push(text.slice(cursor));
  yield parts.join("");
}
