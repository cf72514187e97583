// @dbatch/transform: finds runs of system calls whose results a C program
// ignores and wraps them in batch_start()/batch_flush().
// Pipeline: parse -> analyze -> plan -> rewrite -> report.
import type { ConditionalRange } from "./conditional-else.ts";
import {
  analyzePiece,
  fileContext,
  includesDbatch,
  type Diagnostic,
  type PieceAnalysis,
} from "./analyze/file.ts";
import { blankAttributeMacros, specifierMacroNames } from "./attribute-macros.ts";
import { splitTopLevel, wholeFileSize, type Chunk } from "./chunks.ts";
import { blankConditionalElse, crossedGroups } from "./conditional-else.ts";
import { collectGarbage, droppedTree, parseC, type ParseRange } from "./parse.ts";
import { planIncludeEdit, runEditPlanner } from "./plan.ts";
import { noreturnNames } from "./noreturn.ts";
import { FileRecords } from "./records.ts";
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
import type { TopLevelEntry } from "./syntax-tree.ts";

export interface TransformOptions {
  /** Calls a run needs to be batched (a call inside a loop always qualifies). Default 2. */
  minRun?: number;
  /**
   * The file's name, for callers' bookkeeping. Diagnostics carry line and
   * column; their messages do not repeat the file or the line (callers print
   * `file:line:column: message`).
   */
  fileName?: string;
  /**
   * Files longer than 256 KiB are parsed and analysed in pieces cut at
   * top-level definitions (chunks.ts), each at least this long, so memory
   * follows the piece. Default 64 KiB; set, it applies to any file.
   */
  chunkSize?: number;
  /**
   * The project's attribute-like macros (annotations, export or visibility
   * markers): blanked for the parse with their argument list, like glibc's
   * __wur. Only names that expand to nothing a batch could observe.
   */
  macros?: readonly string[];
  /**
   * Functions that never return, declared where the file cannot show it
   * (its headers): a checked call's failure branch calling one leaves the
   * run. The file's own noreturn declarations are found without this.
   */
  noreturn?: readonly string[];
  /**
   * false: `runs` and `sites` are left empty (`counts` still says how many):
   * for callers that print only a summary. Half a million site reports are
   * most of what a 20 MB file's result weighs. Default true.
   */
  reports?: boolean;
  /**
   * false: the edits are not applied and `output` is "" (`changed` and
   * `edits` still say what would change): for a check. Default true.
   */
  output?: boolean;
}

export interface TransformCounts {
  /** Runs batched (wrapped now or already). */
  runs: number;
  /** Call sites in a run, and the others. */
  batched: number;
  notBatched: number;
}

export interface TransformResult {
  /**
   * The text with the edits applied (=== the input when nothing changes; ""
   * when options.output is false).
   */
  output: string;
  /** Whether the edits change the text. */
  changed: boolean;
  counts: TransformCounts;
  /** Against the input text, UTF-16 offsets, sorted. */
  edits: TextEdit[];
  runs: RunReport[];
  sites: SiteReport[];
  diagnostics: DiagnosticReport[];
}

export const defaultMinRun = 2;

export function transformSource(text: string, options: TransformOptions = {}): TransformResult {
  const steps = transformSteps(text, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * The same as transformSource, but lets the event loop run between the pieces
 * of a large file: only then are the dropped pieces' native syntax trees
 * freed (tree-sitter's finalizers run from the event loop), so memory stays
 * bounded by the piece instead of growing with the file.
 */
export async function transformSourceAsync(
  text: string,
  options: TransformOptions = {},
): Promise<TransformResult> {
  const steps = transformSteps(text, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The transform, yielding after each piece it parsed (see chunks.ts). */
function* transformSteps(
  text: string,
  options: TransformOptions,
): Generator<void, TransformResult> {
  const requested = options.minRun ?? defaultMinRun;
  const minRun = Number.isFinite(requested) ? Math.max(1, Math.floor(requested)) : defaultMinRun;
  const source = new SourceText(text);
  // Parsed and analysed with attribute-like macros and the #if groups between
  // the branches of an if-else chain blanked (same offsets).
  const macros = [...(options.macros ?? []), ...specifierMacroNames(text)];
  const parsed = blankConditionalElse(blankAttributeMacros(text, macros));
  const pieces =
    options.chunkSize === undefined && parsed.length <= wholeFileSize
      ? [{ start: 0, end: parsed.length }]
      : splitTopLevel(parsed, options.chunkSize);
  // Read before attribute macros are blanked: __attribute__((noreturn)) says it.
  const noreturn = [...(options.noreturn ?? []), ...noreturnNames(text)];
  const crossed = crossedGroups(text);
  let analysis = yield* analyzePieces(source, parsed, pieces, minRun, new Set(), noreturn, crossed);
  if (analysis.lateDefinitions) {
    // A later piece defines a catalogue name the earlier ones were analysed
    // without (rare, and only in files of several pieces): analyse again
    // knowing all of them.
    analysis = yield* analyzePieces(
      source,
      parsed,
      pieces,
      minRun,
      analysis.definedFunctions,
      noreturn,
      crossed,
    );
  }
  if (pieces.length > 1) collectGarbage();
  if (analysis.failure !== null) {
    return {
      output: options.output === false ? "" : text,
      changed: false,
      counts: { runs: 0, batched: 0, notBatched: 0 },
      edits: [],
      runs: [],
      sites: [],
      diagnostics: reportDiagnostics(source, [
        {
          offset: 0,
          severity: "warning",
          rule: "unsupported-syntax",
          message: `the file could not be analysed (${analysis.failure}): left untouched`,
        },
      ]),
    };
  }
  const { records, diagnostics, topLevel } = analysis;
  const edits: TextEdit[] = [];
  // The #include goes before the first run: first, so that edits made in
  // text order need no sorting.
  const firstFreshRun = records.firstFreshRun();
  if (firstFreshRun !== null && !includesDbatch(parsed, topLevel)) {
    edits.push(planIncludeEdit(source, topLevel, firstFreshRun));
  }
  const planRun = runEditPlanner(source);
  for (let run = 0; run < records.runCount; run++) {
    if (records.isExisting(run)) continue;
    edits.push(
      ...planRun(
        records.runStart(run),
        records.runLastStart(run),
        records.runLastEnd(run),
        records.runChecks(run),
        records.runUnseenOpens(run),
      ),
    );
  }
  const sorted = sortEdits(edits);
  const output = options.output === false ? "" : sorted.length ? applyEdits(text, sorted) : text;
  const runs = options.reports === false ? null : reportRuns(source, records);
  return {
    output,
    changed: sorted.length > 0,
    counts: records.counts(),
    edits: sorted,
    runs: runs?.reports ?? [],
    sites: runs ? reportSites(source, records, runs.ids) : [],
    diagnostics: reportDiagnostics(source, diagnostics),
  };
}

interface PiecesAnalysis {
  records: FileRecords;
  diagnostics: Diagnostic[];
  topLevel: TopLevelEntry[];
  definedFunctions: ReadonlySet<string>;
  /** A piece defined a catalogue name that an earlier piece was analysed without. */
  lateDefinitions: boolean;
  /** Why the analysis gave up on the file, or null. */
  failure: string | null;
}

/**
 * Parses and analyses each piece in turn, keeping only compact records of it
 * (records.ts), so one piece's tree is alive at a time.
 */
function* analyzePieces(
  source: SourceText,
  parsed: string,
  pieces: readonly Chunk[],
  minRun: number,
  knownDefinitions: ReadonlySet<string>,
  noreturn: readonly string[],
  crossed: readonly ConditionalRange[],
): Generator<void, PiecesAnalysis> {
  const context = fileContext(parsed, knownDefinitions, noreturn, crossed);
  const result: PiecesAnalysis = {
    records: new FileRecords(),
    diagnostics: context.manualBatch ? [context.manualBatch] : [],
    topLevel: [],
    definedFunctions: context.definedFunctions,
    lateDefinitions: false,
    failure: null,
  };
  const whole = pieces.length === 1;
  for (const piece of pieces) {
    const definedBefore = context.definedFunctions.size;
    const tree = parseC(parsed, whole ? undefined : parseRange(source, piece));
    let analysis: PieceAnalysis;
    try {
      analysis = analyzePiece(parsed, tree, piece, minRun, context);
    } catch (err) {
      // Last resort: deep functions are skipped before the analysis recurses,
      // but whatever else runs out of stack or memory must not take the
      // caller down (a CLI transforming a whole tree): leave the file alone.
      if (!(err instanceof RangeError)) throw err;
      return { ...result, failure: err.message };
    }
    if (piece !== pieces[0] && context.definedFunctions.size > definedBefore) {
      result.lateDefinitions = true;
    }
    result.records.addPiece(analysis.runs, analysis.verdicts);
    result.diagnostics.push(...analysis.diagnostics);
    result.topLevel.push(...analysis.topLevel);
    if (!whole) {
      droppedTree(piece.end - piece.start);
      yield;
    }
  }
  return result;
}

function parseRange(source: SourceText, piece: Chunk): ParseRange {
  const at = (offset: number) => {
    const p = source.position(offset);
    return { row: p.line - 1, column: p.column - 1 };
  };
  return {
    startIndex: piece.start,
    endIndex: piece.end,
    startPosition: at(piece.start),
    endPosition: at(piece.end),
  };
}

export { applyEdits, editedPieces, OverlappingEditsError, type TextEdit } from "./rewrite.ts";
export { reasonDescriptions, reasonIds, type ReasonId } from "./reasons.ts";
export type { RunReport, SiteReport, DiagnosticReport } from "./report.ts";
/**
 * A full garbage collection now. The transform collects while it parses a
 * large file; a caller about to allocate much more (writing a large output)
 * may start from the heap it actually holds.
 */
export { collectGarbage } from "./parse.ts";
export { applyEditsWithLineDirectives } from "./line-directives.ts";
export { macroNamePattern, specifierMacroNames } from "./attribute-macros.ts";
export { noreturnNames } from "./noreturn.ts";
export { syscallCatalogue } from "./catalogue.generated.ts";
export type { SyscallSpec } from "@dbatch/catalogue";
