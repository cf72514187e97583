// The report of one file: the batched runs (numbered in text order) and a
// verdict for every catalogue call site, with 1-based lines and columns.
import type { Diagnostic } from "./analyze/file.ts";
import type { FileRecords } from "./records.ts";
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
  /**
   * Set when the site is batched only through a call of its function, a
   * summarised static helper, inside `run` (in another function): the
   * helper's name, as called there.
   */
  through?: string;
}

export interface DiagnosticReport {
  line: number;
  column: number;
  severity: "error" | "warning";
  rule: string;
  message: string;
}

/** The runs by position, numbered from 1, and each record's number. */
export function reportRuns(
  source: SourceText,
  records: FileRecords,
): { reports: RunReport[]; ids: Int32Array } {
  const order = Array.from({ length: records.runCount }, (_, i) => i).sort(
    (a, b) => records.runStart(a) - records.runStart(b),
  );
  const ids = new Int32Array(records.runCount);
  const reports = order.map((run, i) => {
    ids[run] = i + 1;
    return {
      id: i + 1,
      startLine: source.position(records.runStart(run)).line,
      endLine: source.position(Math.max(records.runLastStart(run), records.runLastEnd(run) - 1))
        .line,
      calls: records.runCallNames(run),
    };
  });
  return { reports, ids };
}

/** A verdict for every call site, by position; @runIds from reportRuns. */
export function reportSites(
  source: SourceText,
  records: FileRecords,
  runIds: Int32Array,
): SiteReport[] {
  const order = Array.from({ length: records.siteCount }, (_, i) => i).sort(
    (a, b) => records.siteOffset(a) - records.siteOffset(b),
  );
  return order.map((site) => {
    const { line, column } = source.position(records.siteOffset(site));
    const index = records.siteRun(site);
    const run = index >= 0 ? (runIds[index] ?? null) : null;
    const through = run !== null ? records.siteThrough(site) : null;
    return {
      line,
      column,
      call: records.siteCall(site),
      batched: run !== null,
      run,
      reason: run !== null ? null : (records.siteReason(site) ?? "single-call"),
      ...(through !== null ? { through } : {}),
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
