import type { FileReport } from "./report-model.ts";
import { runAnchors } from "./report-model.ts";
import { reasonText, summariseCalls } from "./reasons.ts";

interface Remark {
  line: number;
  column: number;
  text: string;
}

/**
 * Compiler-style optimisation remarks, one per batched run and one per call
 * site left alone, sorted by position, with a severity word and the rule as
 * compilers print them (editors' problem matchers read these):
 *   file:line:col: remark: batched run 3 (write x4, close) [batched]
 *   file:line:col: remark: not batched: result used (read) [result-used]
 */
export function renderTextReport(files: readonly FileReport[]): string {
  const lines: string[] = [];
  for (const f of files) {
    const remarks: Remark[] = [];
    const anchor = runAnchors(f);
    for (const run of f.runs) {
      const at = anchor(run);
      remarks.push({
        ...at,
        text: `remark: batched run ${run.id} (${summariseCalls(run.calls)}) [batched]`,
      });
    }
    for (const s of f.sites) {
      if (s.batched) continue;
      remarks.push({
        line: s.line,
        column: s.column,
        text: `remark: not batched: ${reasonText(s.reason ?? "unknown")} (${s.call}) [${s.reason ?? "unknown"}]`,
      });
    }
    remarks.sort((a, b) => a.line - b.line || a.column - b.column);
    for (const r of remarks) lines.push(`${f.file}:${r.line}:${r.column}: ${r.text}`);
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}
