import type { FileResult, RunInfo, SiteInfo } from "./job.ts";

/** What a report shows for one file. */
export interface FileReport {
  file: string;
  runs: RunInfo[];
  sites: SiteInfo[];
}

export interface ReportSummary {
  files: number;
  runs: number;
  batched: number;
  notBatched: number;
}

export function toFileReports(results: readonly FileResult[]): FileReport[] {
  return results.map((r) => ({ file: r.file, runs: r.runs, sites: r.sites }));
}

export function summarise(files: readonly FileReport[]): ReportSummary {
  let runs = 0;
  let batched = 0;
  let notBatched = 0;
  for (const f of files) {
    runs += f.runs.length;
    for (const s of f.sites) {
      if (s.batched) batched++;
      else notBatched++;
    }
  }
  return { files: files.length, runs, batched, notBatched };
}

/** Where a run is reported: its first batched call site, else its first line. */
export function runAnchor(file: FileReport, run: RunInfo): { line: number; column: number } {
  let best: SiteInfo | null = null;
  for (const s of file.sites) {
    if (s.run !== run.id) continue;
    if (best === null || s.line < best.line || (s.line === best.line && s.column < best.column))
      best = s;
  }
  return best ? { line: best.line, column: best.column } : { line: run.startLine, column: 1 };
}
