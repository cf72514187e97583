/**
 * A one-line progress bar on stderr, drawn only when stderr is a terminal,
 * not under CI, and for 4 files or more; silent otherwise. Redrawn at most
 * every 50 ms.
 */
export class Progress {
  private readonly enabled: boolean;
  private lastDraw = 0;

  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = stream.isTTY === true && total >= 4 && process.env.CI === undefined;
  }

  update(done: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (done < this.total && now - this.lastDraw < 50) return;
    this.lastDraw = now;
    const width = Math.max(10, Math.min(40, (this.stream.columns ?? 80) - 40));
    const filled = Math.round((done / this.total) * width);
    const bar = `${"#".repeat(filled)}${"-".repeat(width - filled)}`;
    this.stream.write(`\r\x1b[2Kdbatch-transform [${bar}] ${done}/${this.total} files`);
  }

  clear(): void {
    if (this.enabled) this.stream.write("\r\x1b[2K");
  }
}
