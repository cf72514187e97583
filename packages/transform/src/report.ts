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

export function reportRuns(source: SourceText, runs: readonly Run[]): Map<Run, RunReport> {
  const ordered = [...runs].sort((a, b) => a.first.startIndex - b.first.startIndex);
  const reports = new Map<Run, RunReport>();
  ordered.forEach((run, i) => {
    const sites = [...run.sites].sort((a, b) => a.node.startIndex - b.node.startIndex);
    reports.set(run, {
      id: i + 1,
      startLine: source.position(run.first.startIndex).line,
      endLine: source.position(Math.max(run.last.startIndex, run.last.endIndex - 1)).line,
      calls: sites.map((s) => s.name),
    });
  });
  return reports;
}

export function reportSites(
  source: SourceText,
  verdicts: readonly Verdict[],
  runs: ReadonlyMap<Run, RunReport>,
): SiteReport[] {
  return [...verdicts]
    .sort((a, b) => a.site.node.startIndex - b.site.node.startIndex)
    .map((v) => {
      const { line, column } = source.position(v.site.node.startIndex);
      const run = v.run ? (runs.get(v.run)?.id ?? null) : null;
      return {
        line,
        column,
        call: v.site.name,
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
