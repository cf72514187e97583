import { createHash } from "node:crypto";
import { isAbsolute, join, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { cliDir } from "../paths.ts";
import type { EditReport, FileReport } from "./report-model.ts";
import type { RunInfo } from "./job.ts";
import { runAnchors } from "./report-model.ts";
import { knownReasons, reasonHelp, reasonText, summariseCalls } from "./reasons.ts";

const BATCHED_RULE = "batched-run";
const WOULD_BATCH_RULE = "would-batch";

/** The transform README, where every rule is explained (helpUri anchors). */
const readmeUri = pathToFileURL(join(cliDir, "..", "transform", "README.md")).href;

type Level = "note" | "warning";

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string };
  helpUri: string;
  defaultConfiguration: { level: Level };
}

interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine?: number;
  endColumn?: number;
}

interface SarifArtifact {
  uri: string;
  uriBaseId?: string;
}

interface SarifFix {
  description: { text: string };
  artifactChanges: {
    artifactLocation: SarifArtifact;
    replacements: { deletedRegion: SarifRegion; insertedContent: { text: string } }[];
  }[];
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: Level;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: SarifArtifact; region: SarifRegion } }[];
  partialFingerprints: Record<string, string>;
  fixes?: SarifFix[];
}

function pascal(id: string): string {
  return id
    .split("-")
    .map((w) => (w.length > 0 ? (w[0] ?? "").toUpperCase() + w.slice(1) : w))
    .join("");
}

function rule(id: string): SarifRule {
  if (id === WOULD_BATCH_RULE) {
    const text =
      "These calls form a run that can go in one batch; the file does not wrap it in batch_start()/batch_flush() yet.";
    return {
      id,
      name: "WouldBatch",
      shortDescription: { text: "run not batched yet" },
      fullDescription: { text },
      help: { text: `${text} Apply the fix, or run dbatch-transform --write on the file.` },
      helpUri: `${readmeUri}#what-is-batched`,
      defaultConfiguration: { level: "warning" },
    };
  }
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
      helpUri: `${readmeUri}#what-is-batched`,
      defaultConfiguration: { level: "note" },
    };
  }
  return {
    id,
    name: `NotBatched${pascal(id)}`,
    shortDescription: { text: `not batched: ${reasonText(id)}` },
    fullDescription: { text: reasonHelp(id) },
    help: { text: reasonHelp(id) },
    helpUri: `${readmeUri}#reason-ids`,
    defaultConfiguration: { level: "note" },
  };
}

/**
 * A fingerprint that survives edits elsewhere in the file: the rule, the
 * file, the text of the result's line and how many results before it in
 * the file had the same three (not the line number).
 */
function fingerprinter(file: FileReport): (ruleId: string, line: number) => Record<string, string> {
  const seen = new Map<string, number>();
  return (ruleId, line) => {
    const key = `${ruleId}\0${file.file}\0${(file.lines[line - 1] ?? "").trim()}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const hash = createHash("sha256").update(`${key}\0${n}`).digest("hex").slice(0, 32);
    return { "dbatchLineHash/v1": hash };
  };
}

/**
 * The edits that make a run: its batch_start() insertion on the run's first
 * line, its batch_flush() on its last, and what it wraps in between (checked
 * calls, opens whose number is not read); none for a run already batched.
 */
function runEditFinder(file: FileReport): (run: RunInfo) => EditReport[] {
  const starts = new Set<number>();
  for (const e of file.edits) if (e.text.includes("batch_start();")) starts.add(e.startLine);
  const own = file.edits.filter((e) => !e.text.includes("#include <dbatch.h>"));
  return (run) =>
    starts.has(run.startLine)
      ? own.filter((e) => e.startLine >= run.startLine && e.startLine <= run.endLine)
      : [];
}

function replacement(e: EditReport): SarifFix["artifactChanges"][number]["replacements"][number] {
  return {
    deletedRegion: {
      startLine: e.startLine,
      startColumn: e.startColumn,
      endLine: e.endLine,
      endColumn: e.endColumn,
    },
    insertedContent: { text: e.text },
  };
}

function artifact(file: string): { uri: string; uriBaseId?: string } {
  if (isAbsolute(file)) return { uri: pathToFileURL(file).href };
  const posix = file.split(sep).join("/").replace(/^\.\//, "");
  return { uri: encodeURI(posix), uriBaseId: "%SRCROOT%" };
}

/**
 * SARIF 2.1.0: one run; a rule per reason id (plus `would-batch` and
 * `batched-run`). A run the file does not batch yet is a `warning` with a
 * fix (the exact insertions, the #include with the file's first); a run
 * already batched and each call site left alone are `note`s. Every result
 * has a fingerprint that does not depend on its line number.
 */
export function renderSarifReport(
  files: readonly FileReport[],
  version: string,
  srcRoot: string,
): string {
  const ids = [WOULD_BATCH_RULE, BATCHED_RULE, ...knownReasons()];
  for (const f of files) {
    for (const s of f.sites)
      if (!s.batched && s.reason && !ids.includes(s.reason)) ids.push(s.reason);
  }
  const index = new Map(ids.map((id, i) => [id, i]));
  const results: SarifResult[] = [];
  for (const f of files) {
    const location = artifact(f.file);
    const fingerprint = fingerprinter(f);
    const anchor = runAnchors(f);
    const runEdits = runEditFinder(f);
    // The #include edit goes with the first run that needs it.
    let include = f.edits.find((e) => e.text.includes("#include <dbatch.h>"));
    for (const run of f.runs) {
      const at = anchor(run);
      const own = runEdits(run);
      const isNew = own.length > 0;
      const ruleId = isNew ? WOULD_BATCH_RULE : BATCHED_RULE;
      const result: SarifResult = {
        ruleId,
        ruleIndex: index.get(ruleId) ?? 0,
        level: isNew ? "warning" : "note",
        message: {
          text: isNew
            ? `run ${run.id} (${summariseCalls(run.calls)}) is not batched yet: the fix wraps it in batch_start()/batch_flush()`
            : `batched run ${run.id} (${summariseCalls(run.calls)})`,
        },
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
        partialFingerprints: fingerprint(ruleId, at.line),
      };
      if (isNew) {
        const edits = include ? [include, ...own] : own;
        include = undefined;
        result.fixes = [
          {
            description: { text: `batch run ${run.id}` },
            artifactChanges: [{ artifactLocation: location, replacements: edits.map(replacement) }],
          },
        ];
      }
      results.push(result);
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
        partialFingerprints: fingerprint(reason, s.line),
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
