// The report of one file: the batched runs (numbered in text order) and a
// verdict for every catalogue call site, with 1-based lines and columns.
import type { Run, Verdict } from "./analyze/function.ts";
import type { Diagnostic } from "./analyze/file.ts";
import type { ReasonId } from "./reasons.ts";
import type { SourceText } from "./source-text.ts";

export interface RunReport {
  id: number;
  startLine: number;
  endLine: number;
  /** The calls in the run as written, in text order. */
  calls: string[];
}

export interface SiteReport {
  line: number;
  column: number;
  call: string;
  batched: boolean;
  run: number | null;
  reason: ReasonId | null;
}

export interface DiagnosticReport {
  line: number;
  column: number;
  severity: "error" | "warning";
  rule: string;
  message: string;
}

/**
 * A run as the report needs it: offsets and names only, so a piece's syntax
 * tree can be dropped once its runs are recorded.
 */
export interface RunRecord {
  readonly start: number;
  readonly lastStart: number;
  readonly lastEnd: number;
  /** The calls in the run as written, in text order. */
  readonly calls: readonly string[];
}

/** A call site's verdict as the report needs it. */
export interface SiteRecord {
  readonly offset: number;
  readonly call: string;
  readonly run: RunRecord | null;
  readonly reason: ReasonId | null;
}

/** Records of one piece's runs and verdicts. */
export function recordPiece(
  runs: readonly Run[],
  verdicts: readonly Verdict[],
): { runs: RunRecord[]; sites: SiteRecord[] } {
  const records = new Map<Run, RunRecord>();
  for (const run of runs) {
    const sites = [...run.sites].sort((a, b) => a.node.startIndex - b.node.startIndex);
    records.set(run, {
      start: run.first.startIndex,
      lastStart: run.last.startIndex,
      lastEnd: run.last.endIndex,
      calls: sites.map((s) => s.name),
    });
  }
  const sites = verdicts.map((v) => ({
    offset: v.site.node.startIndex,
    call: v.site.name,
    run: v.run ? (records.get(v.run) ?? null) : null,
    reason: v.reason,
  }));
  return { runs: [...records.values()], sites };
}

export function reportRuns(
  source: SourceText,
  runs: readonly RunRecord[],
): Map<RunRecord, RunReport> {
  const ordered = [...runs].sort((a, b) => a.start - b.start);
  const reports = new Map<RunRecord, RunReport>();
  ordered.forEach((run, i) => {
    reports.set(run, {
      id: i + 1,
      startLine: source.position(run.start).line,
      endLine: source.position(Math.max(run.lastStart, run.lastEnd - 1)).line,
      calls: [...run.calls],
    });
  });
  return reports;
}

export function reportSites(
  source: SourceText,
  sites: readonly SiteRecord[],
  runs: ReadonlyMap<RunRecord, RunReport>,
): SiteReport[] {
  return [...sites]
    .sort((a, b) => a.offset - b.offset)
    .map((v) => {
      const { line, column } = source.position(v.offset);
      const run = v.run ? (runs.get(v.run)?.id ?? null) : null;
      return {
        line,
        column,
        call: v.call,
        batched: run !== null,
        run,
        reason: run !== null ? null : (v.reason ?? "single-call"),
      };
    });
}

export function reportDiagnostics(
  source: SourceText,
  diagnostics: readonly Diagnostic[],
): DiagnosticReport[] {
  return [...diagnostics]
    .sort((a, b) => a.offset - b.offset)
    .map((d) => {
      const { line, column } = source.position(d.offset);
      return { line, column, severity: d.severity, rule: d.rule, message: d.message };
    });
}
