// @dbatch/transform: finds runs of system calls whose results a C program
// ignores and wraps them in batch_start()/batch_flush().
// Pipeline: parse -> analyze -> plan -> rewrite -> report.
import { analyzeFile, type FileAnalysis } from "./analyze/file.ts";
import { blankAttributeMacros } from "./attribute-macros.ts";
import { parseC } from "./parse.ts";
import { planIncludeEdit, planRunEdits } from "./plan.ts";
import {
  reportDiagnostics,
  reportRuns,
  reportSites,
  type DiagnosticReport,
  type RunReport,
  type SiteReport,
} from "./report.ts";
import { applyEdits, sortEdits, type TextEdit } from "./rewrite.ts";
import { SourceText } from "./source-text.ts";

export interface TransformOptions {
  /** Calls a run needs to be batched (a call inside a loop always qualifies). Default 2. */
  minRun?: number;
  /**
   * The file's name, for callers' bookkeeping. Diagnostics carry line and
   * column; their messages do not repeat the file or the line (callers print
   * `file:line:column: message`).
   */
  fileName?: string;
}

export interface TransformResult {
  /** The text with the edits applied (=== the input when nothing changes). */
  output: string;
  /** Against the input text, UTF-16 offsets, sorted. */
  edits: TextEdit[];
  runs: RunReport[];
  sites: SiteReport[];
  diagnostics: DiagnosticReport[];
}

export const defaultMinRun = 2;

export function transformSource(text: string, options: TransformOptions = {}): TransformResult {
  const requested = options.minRun ?? defaultMinRun;
  const minRun = Number.isFinite(requested) ? Math.max(1, Math.floor(requested)) : defaultMinRun;
  const source = new SourceText(text);
  // Parsed and analysed with attribute-like macros blanked (same offsets).
  const parsed = blankAttributeMacros(text);
  const tree = parseC(parsed);
  let analysis: FileAnalysis;
  try {
    analysis = analyzeFile(parsed, tree, minRun);
  } catch (err) {
    // Last resort: deep functions are skipped before the analysis recurses,
    // but whatever else runs out of stack or memory must not take the
    // caller down (a CLI transforming a whole tree): leave the file alone.
    if (!(err instanceof RangeError)) throw err;
    return {
      output: text,
      edits: [],
      runs: [],
      sites: [],
      diagnostics: reportDiagnostics(source, [
        {
          offset: 0,
          severity: "warning",
          rule: "unsupported-syntax",
          message: `the file could not be analysed (${err.message}): left untouched`,
        },
      ]),
    };
  }

  const fresh = analysis.runs.filter((r) => !r.existing);
  const edits: TextEdit[] = fresh.flatMap((run) => planRunEdits(source, run));
  if (fresh.length && !analysis.includesDbatch) {
    const firstRunAt = Math.min(...fresh.map((r) => r.first.startIndex));
    edits.push(planIncludeEdit(source, analysis.topLevel, firstRunAt));
  }
  const sorted = sortEdits(edits);
  const output = sorted.length ? applyEdits(text, sorted) : text;

  const runReports = reportRuns(source, analysis.runs);
  const diagnostics = reportDiagnostics(source, analysis.diagnostics);
  return {
    output,
    edits: sorted,
    runs: [...runReports.values()].sort((a, b) => a.id - b.id),
    sites: reportSites(source, analysis.verdicts, runReports),
    diagnostics,
  };
}

export { applyEdits, OverlappingEditsError, type TextEdit } from "./rewrite.ts";
export { reasonDescriptions, reasonIds, type ReasonId } from "./reasons.ts";
export type { RunReport, SiteReport, DiagnosticReport } from "./report.ts";
export { applyEditsWithLineDirectives } from "./line-directives.ts";
export { syscallCatalogue } from "./catalogue.generated.ts";
export type { SyscallSpec } from "@dbatch/catalogue";
