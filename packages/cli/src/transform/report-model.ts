import type { FileResult, RunInfo, SiteInfo } from "./job.ts";

/** An edit the transform makes, by line and column (1-based, UTF-16 columns). */
export interface EditReport {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  text: string;
}

/** What a report shows for one file. */
export interface FileReport {
  file: string;
  runs: RunInfo[];
  sites: SiteInfo[];
  /** The edits that would rewrite the file (none: it stays as it is). */
  edits: EditReport[];
  /** The file's lines as they are (for stable fingerprints). */
  lines: string[];
  counts: FileResult["counts"];
}

export interface ReportSummary {
  files: number;
  runs: number;
  batched: number;
  notBatched: number;
}

/** Line and column (1-based) of each offset into @text. */
function positions(text: string, offsets: readonly number[]): Map<number, [number, number]> {
  const sorted = [...new Set(offsets)].sort((a, b) => a - b);
  const out = new Map<number, [number, number]>();
  let line = 1;
  let lineStart = 0;
  let i = 0;
  for (const offset of sorted) {
    for (; i < offset; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    out.set(offset, [line, offset - lineStart + 1]);
  }
  return out;
}

export function toFileReports(results: readonly FileResult[]): FileReport[] {
  return results.map((r) => {
    const at = positions(
      r.original,
      r.edits.flatMap((e) => [e.start, e.end]),
    );
    const edits = r.edits.map((e) => {
      const [startLine, startColumn] = at.get(e.start) ?? [1, 1];
      const [endLine, endColumn] = at.get(e.end) ?? [1, 1];
      return { startLine, startColumn, endLine, endColumn, text: e.text };
    });
    return {
      file: r.file,
      runs: r.runs,
      sites: r.sites,
      edits,
      lines: r.original.split("\n"),
      counts: r.counts,
    };
  });
}

/** Counts over files' runs and sites. */
export function summarise(files: readonly { counts: FileResult["counts"] }[]): ReportSummary {
  let runs = 0;
  let batched = 0;
  let notBatched = 0;
  for (const { counts } of files) {
    runs += counts.runs;
    batched += counts.batched;
    notBatched += counts.notBatched;
  }
  return { files: files.length, runs, batched, notBatched };
}

/**
 * Where each run is reported (by run id): its first batched call site, else
 * its first line. One pass over the sites (a large file has 10^5 runs).
 */
export function runAnchors(file: FileReport): (run: RunInfo) => { line: number; column: number } {
  const first = new Map<number, SiteInfo>();
  for (const s of file.sites) {
    if (s.run === null) continue;
    const best = first.get(s.run);
    if (!best || s.line < best.line || (s.line === best.line && s.column < best.column))
      first.set(s.run, s);
  }
  return (run) => {
    const best = first.get(run.id);
    return best ? { line: best.line, column: best.column } : { line: run.startLine, column: 1 };
  };
}
