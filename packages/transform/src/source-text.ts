// Positions and layout of the original text: 1-based line/column from UTF-16
// offsets, the file's line ending, and a line's indentation.

export interface Position {
  readonly line: number;
  readonly column: number;
}

export class SourceText {
  readonly text: string;
  /** "\r\n" when the file's first line break is CRLF, else "\n". */
  readonly eol: string;
  private lineStarts: Int32Array | null = null;

  constructor(text: string) {
    this.text = text;
    const firstBreak = text.indexOf("\n");
    this.eol = firstBreak > 0 && text[firstBreak - 1] === "\r" ? "\r\n" : "\n";
  }

  /** 1-based line and column (in UTF-16 code units, as SARIF's default) of an offset. */
  position(offset: number): Position {
    const starts = this.starts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
  }

  lineStart(offset: number): number {
    return this.text.lastIndexOf("\n", offset - 1) + 1;
  }

  /** Offset of the line break ending the line that holds offset ("\r" of a CRLF), or text.length. */
  lineEnd(offset: number): number {
    const nl = this.text.indexOf("\n", offset);
    if (nl < 0) return this.text.length;
    return nl > 0 && this.text[nl - 1] === "\r" ? nl - 1 : nl;
  }

  /** The spaces and tabs that start the line holding offset. */
  indentation(offset: number): string {
    const start = this.lineStart(offset);
    const match = /^[ \t]*/.exec(
      this.text.slice(start, Math.min(this.lineEnd(start), start + 256)),
    );
    return match ? match[0] : "";
  }

  // Typed: a 20 MB file has most of a million lines.
  private starts(): Int32Array {
    if (this.lineStarts) return this.lineStarts;
    let count = 1;
    for (let at = this.text.indexOf("\n"); at >= 0; at = this.text.indexOf("\n", at + 1)) count++;
    const starts = new Int32Array(count);
    let line = 1;
    for (let at = this.text.indexOf("\n"); at >= 0; at = this.text.indexOf("\n", at + 1)) {
      starts[line++] = at + 1;
    }
    this.lineStarts = starts;
    return starts;
  }
}
