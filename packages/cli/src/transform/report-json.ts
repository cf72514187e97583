import type { FileReport } from "./report-model.ts";
import { summarise } from "./report-model.ts";

/**
 * The JSON report of docs/design.md, keys in the documented order:
 * {"files":[{"file","runs":[{"id","startLine","endLine","calls"}],
 *   "sites":[{"line","column","call","batched","run","reason"[,"through"]}]}],
 *  "summary":{"files","runs","batched","notBatched"}}
 * ("through" only on a site batched through a call of its summarised helper).
 */
export function renderJsonReport(files: readonly FileReport[]): string {
  const report = {
    files: files.map((f) => ({
      file: f.file,
      runs: f.runs.map((r) => ({
        id: r.id,
        startLine: r.startLine,
        endLine: r.endLine,
        calls: [...r.calls],
      })),
      sites: f.sites.map((s) => ({
        line: s.line,
        column: s.column,
        call: s.call,
        batched: s.batched,
        run: s.run ?? null,
        reason: s.reason ?? null,
        ...(s.through !== undefined ? { through: s.through } : {}),
      })),
    })),
    summary: summarise(files),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}
