// The control stream (ttyS1) of a VM run: READY, BEGIN/END of each
// command with its raw output in between, files sent back, DONE.

/** Parses the control stream (ttyS1) of one VM run. */
export class ControlParser {
  private buf = "";
  private current: number | null = null;
  readonly outputs: string[];
  ready: { hostSeconds: number; guestUptime: number } | null = null;
  done = false;
  readonly ends = new Map<number, { rc: number; timedOut: boolean; uptime: number }>();
  readonly begins = new Map<number, number>();
  readonly skipped = new Set<number>();
  readonly insmods: { rc: number; label: string; message: string }[] = [];
  /** base64 lines of collected files, by index into options.collect. */
  readonly fileLines = new Map<number, string[]>();
  private currentFile: number | null = null;
  constructor(
    private readonly token: string,
    count: number,
    private readonly started: number,
    private readonly onOutput?: (index: number, chunk: string) => void,
  ) {
    this.outputs = new Array<string>(count).fill("");
  }

  private emit(index: number, text: string): void {
    if (!text) return;
    this.outputs[index] = (this.outputs[index] ?? "") + text;
    this.onOutput?.(index, text);
  }

  feed(chunk: string): void {
    this.buf += chunk;
    for (;;) {
      if (this.current !== null) {
        const marker = `\n\x1eDBATCH ${this.token} END ${this.current} `;
        const at = this.buf.indexOf(marker);
        if (at < 0) {
          const safe = Math.max(0, this.buf.length - marker.length);
          this.emit(this.current, this.buf.slice(0, safe));
          this.buf = this.buf.slice(safe);
          return;
        }
        this.emit(this.current, this.buf.slice(0, at));
        this.buf = this.buf.slice(at + 1);
        this.current = null;
        continue;
      }
      const nl = this.buf.indexOf("\n");
      if (nl < 0) return;
      const line = this.buf.slice(0, nl).replace(/\r$/, "");
      this.buf = this.buf.slice(nl + 1);
      if (this.currentFile !== null && !line.startsWith("\x1eDBATCH ")) {
        this.fileLines.get(this.currentFile)?.push(line);
        continue;
      }
      this.control(line);
    }
  }

  private control(line: string): void {
    const prefix = `\x1eDBATCH ${this.token} `;
    const at = line.indexOf(prefix);
    if (at < 0) return;
    const [kind = "", ...rest] = line.slice(at + prefix.length).split(" ");
    switch (kind) {
      case "READY":
        this.ready = {
          hostSeconds: (Date.now() - this.started) / 1000,
          guestUptime: Number(rest[0]),
        };
        break;
      case "INSMOD":
        this.insmods.push({
          rc: Number(rest[0]),
          label: rest[1] ?? "",
          message: rest.slice(2).join(" ").trim(),
        });
        break;
      case "BEGIN": {
        const i = Number(rest[0]);
        this.begins.set(i, Number(rest[1]));
        this.current = i;
        break;
      }
      case "END":
        this.ends.set(Number(rest[0]), {
          rc: Number(rest[1]),
          timedOut: rest[2] === "1",
          uptime: Number(rest[3]),
        });
        break;
      case "SKIP":
        this.skipped.add(Number(rest[0]));
        break;
      case "DONE":
        this.done = true;
        break;
      case "FILE":
        this.currentFile = Number(rest[0]);
        this.fileLines.set(this.currentFile, []);
        break;
      case "FILEEND":
        this.currentFile = null;
        break;
    }
  }

  /** Output of a command still running when the stream ended. */
  flush(): void {
    if (this.current !== null) {
      this.emit(this.current, this.buf);
      this.buf = "";
    }
  }
}
