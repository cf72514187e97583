import { isAbsolute, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type { FileReport } from "./report-model.ts";
import { runAnchor } from "./report-model.ts";
import { knownReasons, reasonHelp, reasonText, summariseCalls } from "./reasons.ts";

const BATCHED_RULE = "batched-run";

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string };
  defaultConfiguration: { level: "note" };
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: "note";
  message: { text: string };
  locations: {
    physicalLocation: {
      artifactLocation: { uri: string; uriBaseId?: string };
      region: { startLine: number; startColumn: number; endLine?: number };
    };
  }[];
}

function pascal(id: string): string {
  return id
    .split("-")
    .map((w) => (w.length > 0 ? (w[0] ?? "").toUpperCase() + w.slice(1) : w))
    .join("");
}

function rule(id: string): SarifRule {
  if (id === BATCHED_RULE) {
    const text =
      "A run of system calls is wrapped in batch_start()/batch_flush() and runs in one batch.";
    return {
      id,
      name: "BatchedRun",
      shortDescription: { text: "batched run" },
      fullDescription: { text },
      help: {
        text: `${text} Run the program under libdbatch-preload.so (dbatch run) to batch it.`,
      },
      defaultConfiguration: { level: "note" },
    };
  }
  return {
    id,
    name: `NotBatched${pascal(id)}`,
    shortDescription: { text: `not batched: ${reasonText(id)}` },
    fullDescription: { text: reasonHelp(id) },
    help: { text: reasonHelp(id) },
    defaultConfiguration: { level: "note" },
  };
}

function artifact(file: string): { uri: string; uriBaseId?: string } {
  if (isAbsolute(file)) return { uri: pathToFileURL(file).href };
  const posix = file.split(sep).join("/").replace(/^\.\//, "");
  return { uri: encodeURI(posix), uriBaseId: "%SRCROOT%" };
}

/**
 * SARIF 2.1.0: one run; a rule per reason id (plus `batched-run`), a note
 * for each call site left alone and for each batched run.
 */
export function renderSarifReport(
  files: readonly FileReport[],
  version: string,
  srcRoot: string,
): string {
  const ids = [BATCHED_RULE, ...knownReasons()];
  for (const f of files) {
    for (const s of f.sites)
      if (!s.batched && s.reason && !ids.includes(s.reason)) ids.push(s.reason);
  }
  const index = new Map(ids.map((id, i) => [id, i]));
  const results: SarifResult[] = [];
  for (const f of files) {
    const location = artifact(f.file);
    for (const run of f.runs) {
      const at = runAnchor(f, run);
      results.push({
        ruleId: BATCHED_RULE,
        ruleIndex: index.get(BATCHED_RULE) ?? 0,
        level: "note",
        message: { text: `batched run ${run.id} (${summariseCalls(run.calls)})` },
        locations: [
          {
            physicalLocation: {
              artifactLocation: location,
              region: {
                startLine: at.line,
                startColumn: at.column,
                endLine: Math.max(run.endLine, at.line),
              },
            },
          },
        ],
      });
    }
    for (const s of f.sites) {
      if (s.batched) continue;
      const reason = s.reason ?? "unknown";
      if (!index.has(reason)) {
        index.set(reason, ids.length);
        ids.push(reason);
      }
      results.push({
        ruleId: reason,
        ruleIndex: index.get(reason) ?? 0,
        level: "note",
        message: { text: `${s.call} not batched: ${reasonText(reason)}` },
        locations: [
          {
            physicalLocation: {
              artifactLocation: location,
              region: { startLine: s.line, startColumn: s.column },
            },
          },
        ],
      });
    }
  }
  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "dbatch-transform",
            semanticVersion: version,
            version,
            rules: ids.map(rule),
          },
        },
        originalUriBaseIds: {
          "%SRCROOT%": { uri: pathToFileURL(srcRoot.endsWith("/") ? srcRoot : `${srcRoot}/`).href },
        },
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
