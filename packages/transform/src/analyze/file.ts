// Analyses a file piece by piece (chunks.ts): a fast text pre-scan of each
// piece finds the catalogue names followed by `(`; only the top-level
// declarations holding one are copied out of the tree (most of a large file
// never makes a syscall); each function that parses cleanly is analysed, the
// others get parse-error verdicts.
import type { ConditionalRange } from "../conditional-else.ts";
import { catalogueEntry, catalogueLibcNames } from "../catalogue.ts";
import { FileNames } from "./callee.ts";
import { fileMacros } from "./macros.ts";
import { noreturnFunctions } from "../known-functions.ts";
import { ownDefinitions } from "../noreturn.ts";
import { analyzeFunction, type Run, type Verdict } from "./function.ts";
import type { SyntaxTree } from "../parse.ts";
import { sharedVariableNames } from "./shared-variables.ts";
import { StatementClassifier } from "./statements.ts";
import { staticFunctionName, summarizeHelper } from "./summaries.ts";
import type { CallSite } from "./facts.ts";
import { errorOffsets, scanTopLevel, type CNode, type TopLevelEntry } from "../syntax-tree.ts";
import type { Chunk } from "../chunks.ts";

export interface Diagnostic {
  readonly offset: number;
  readonly severity: "error" | "warning";
  readonly rule: string;
  readonly message: string;
}

const callPattern = new RegExp(`\\b(?:${catalogueLibcNames.join("|")})\\s*\\(`, "g");
const seedHeaderPattern = /^[ \t]*#[ \t]*include[ \t]*[<"]linux\/batch\.h[>"]/m;
const dbatchHeaderPattern = /^[ \t]*#[ \t]*include[ \t]*[<"]dbatch\.h[>"]/m;
// The file's own batch_start/batch_flush: a macro; a declaration or
// definition with its type words on the name's line (a call never has one
// before it); a GNU-style definition with the name at column 0 and no ";".
const ownBatchFunctionPattern = new RegExp(
  [
    /^[ \t]*#[ \t]*define[ \t]+(batch_start|batch_flush)\b/.source,
    /^[ \t]*(?!(?:return|else|case|do|goto|sizeof)\b)(?:[A-Za-z_]\w*[ \t*]+)+(batch_start|batch_flush)[ \t]*\(/
      .source,
    /^(batch_start|batch_flush)[ \t]*\([^;\n]*\)[ \t]*$/.source,
  ].join("|"),
  "m",
);

/**
 * Tree levels a function may have and still be analysed: real code stays
 * far below (a few dozen); the recursive analysis needs about 2 frames per
 * level, which V8's default stack holds several times over.
 */
const maxAnalysedDepth = 2000;

interface Hit {
  readonly offset: number;
  readonly name: string;
}

/** What every piece of a file is analysed against (see chunks.ts). */
export interface FileContext {
  /** Catalogue names the file defines as functions: grows as pieces are analysed. */
  readonly definedFunctions: Set<string>;
  readonly names: FileNames;
  /** The file manages batches itself (seed header, own batch_start): nothing is batched. */
  readonly manualBatch: Diagnostic | null;
  /** Numbers the copied nodes of all pieces. */
  readonly counter: { next: number };
}

export function fileContext(
  text: string,
  definedFunctions: ReadonlySet<string>,
  noreturn: readonly string[] = [],
  crossed: readonly ConditionalRange[] = [],
): FileContext {
  const defined = new Set(definedFunctions);
  const neverReturn = new Set(noreturn);
  return {
    definedFunctions: defined,
    names: new FileNames(
      fileMacros(text),
      defined,
      sharedVariableNames(text),
      neverReturn,
      crossed,
      ownDefinitions(text, noreturnFunctions),
    ),
    manualBatch: manualBatchDiagnostic(text),
    counter: { next: 0 },
  };
}

/**
 * Each catalogue name followed by `(` inside the piece, in text order (a
 * piece ends after a `}` or `;` and a line break, so no hit straddles two).
 */
function hitsIn(text: string, piece: Chunk): Hit[] {
  const hits: Hit[] = [];
  // Matched in the piece alone (a slice shares the text's memory): a search
  // of the whole text would run on to the next hit, however far.
  const part = text.slice(piece.start, piece.end);
  callPattern.lastIndex = 0;
  for (let m = callPattern.exec(part); m; m = callPattern.exec(part)) {
    hits.push({ offset: piece.start + m.index, name: /^\w+/.exec(m[0])?.[0] ?? "" });
  }
  return hits;
}

const namedCallPattern = /\b([A-Za-z_]\w*)\s*\(/g;

/**
 * The calls of @names (summarised helpers) inside the piece, in text order:
 * one pass over every `name(` with a set lookup (an alternation of
 * thousands of names would cost a pass per name).
 */
function helperHits(text: string, piece: Chunk, names: ReadonlySet<string>): Hit[] {
  if (names.size === 0) return [];
  const hits: Hit[] = [];
  const part = text.slice(piece.start, piece.end);
  namedCallPattern.lastIndex = 0;
  for (let m = namedCallPattern.exec(part); m; m = namedCallPattern.exec(part)) {
    const name = m[1] ?? "";
    if (names.has(name)) hits.push({ offset: piece.start + m.index, name });
  }
  return hits;
}

/** Whether @offset lies in one of @nodes (sorted by start, not overlapping). */
function insideAny(nodes: readonly CNode[], offset: number): boolean {
  let lo = 0;
  let hi = nodes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((nodes[mid]?.endIndex ?? 0) <= offset) lo = mid + 1;
    else hi = mid;
  }
  const node = nodes[lo];
  return node !== undefined && node.startIndex <= offset;
}

/**
 * A function the analysis can read statement by statement: no syntax error,
 * or errors only inside a body whose braces are both in the text (each
 * statement holding one then costs only itself, statements.ts), and none
 * around the definition itself.
 */
function analysable(fn: CNode): boolean {
  if (!fn.hasError) return true;
  for (let n = fn.parent; n; n = n.parent) if (n.type === "ERROR") return false;
  const body = fn.childForFieldName("body");
  if (!body || !StatementClassifier.soundBlock(body)) return false;
  // Everything before the body (return type, declarator) reads cleanly.
  return fn.children.every((c) => c === body || !c.hasError);
}

/** The functions a piece's hits are in, and the calls the analysis cannot read. */
interface FoundFunctions {
  /** Each clean function with a hit, and its calls (for a verdict if the analysis gives up). */
  readonly functions: Map<number, { fn: CNode; calls: CallSite[] }>;
  readonly brokenSites: CallSite[];
  readonly brokenRegions: Map<number, CNode>;
}

function collectFunctions(
  hits: readonly Hit[],
  copies: readonly CNode[],
  context: FileContext,
  found: FoundFunctions,
): void {
  let copy = 0;
  for (const hit of hits) {
    while (copy < copies.length && (copies[copy]?.endIndex ?? 0) <= hit.offset) copy++;
    const top = copies[copy];
    if (!top || top.startIndex > hit.offset) continue;
    const node = top.descendantForRange(hit.offset, hit.offset + hit.name.length);
    if (node.type !== "identifier" || node.startIndex !== hit.offset) continue;
    const parent = node.parent;
    const spec = catalogueEntry(hit.name);
    if (
      spec &&
      parent?.type === "function_declarator" &&
      parent.parent?.type === "function_definition"
    ) {
      context.definedFunctions.add(hit.name);
    }
    const isCall =
      parent?.type === "call_expression" && parent.childForFieldName("function") === node;
    let fn: CNode | null = null;
    let error: CNode | null = null;
    for (let n: CNode | null = parent; n; n = n.parent) {
      if (n.type === "ERROR" && !error) error = n;
      // The outermost definition: a nested one is part of its parent's body.
      if (n.type === "function_definition") fn = n;
    }
    // A name inside a syntax error that does not read as a call (`MACRO
    // write(...)` parses as a declaration) gets its verdict here; calls get
    // theirs from the analysis, which reads around the broken statement.
    if (fn && analysable(fn) && (isCall || !error)) {
      const entry = found.functions.get(fn.id) ?? { fn, calls: [] };
      found.functions.set(fn.id, entry);
      if (isCall && parent && spec) {
        entry.calls.push({ node: parent, name: hit.name, spec, reason: "unsupported-syntax" });
      }
      continue;
    }
    if (!isCall && !error) continue;
    if (!spec) continue;
    const region = fn ?? error ?? node;
    found.brokenRegions.set(region.id, region);
    found.brokenSites.push({
      node: isCall && parent ? parent : node,
      name: hit.name,
      spec,
      reason: "parse-error",
    });
  }
}

/**
 * Summarises the found static functions not summarised yet (summaries.ts),
 * in text order (a helper's summary needs those of the helpers it calls,
 * defined before it); returns the new names.
 */
function summarizeHelpers(found: FoundFunctions, context: FileContext): string[] {
  const helpers = context.names.helpers;
  const fresh: string[] = [];
  const inOrder = [...found.functions.values()].sort((a, b) => a.fn.startIndex - b.fn.startIndex);
  for (const { fn } of inOrder) {
    if (fn.height > maxAnalysedDepth) continue;
    const name = staticFunctionName(fn);
    if (!name || helpers.has(name)) continue;
    const summary = summarizeHelper(fn, context.names);
    if (!summary) continue;
    helpers.set(name, summary);
    fresh.push(name);
  }
  return fresh;
}

/** One piece's runs, verdicts, diagnostics and top-level nodes. */
export interface PieceAnalysis {
  readonly runs: readonly Run[];
  readonly verdicts: readonly Verdict[];
  readonly diagnostics: readonly Diagnostic[];
  readonly topLevel: readonly TopLevelEntry[];
}

/** Only a top-level include counts: one inside #ifdef may be compiled out. */
export function includesDbatch(text: string, topLevel: readonly TopLevelEntry[]): boolean {
  return topLevel.some(
    (e) =>
      e.type === "preproc_include" &&
      dbatchHeaderPattern.test(text.slice(e.startIndex, e.endIndex)),
  );
}

/**
 * Analyses the piece [start, end) of the text, parsed as `tree` (the whole
 * file, or that range of it: offsets are the file's either way).
 */
export function analyzePiece(
  text: string,
  tree: SyntaxTree,
  piece: Chunk,
  minRun: number,
  context: FileContext,
): PieceAnalysis {
  const catalogueHits = hitsIn(text, piece);
  const knownHelpers = new Set(context.names.helpers.keys());
  const hits = knownHelpers.size
    ? [...catalogueHits, ...helperHits(text, piece, knownHelpers)].sort(
        (x, y) => x.offset - y.offset,
      )
    : catalogueHits;
  const scan = scanTopLevel(
    tree,
    text,
    hits.map((h) => h.offset),
    context.counter,
  );
  if (hits.length === 0) {
    const diagnostics = parseErrorDiagnostics(text, tree, [], []);
    return { runs: [], verdicts: [], diagnostics, topLevel: scan.entries };
  }

  const found: FoundFunctions = { functions: new Map(), brokenSites: [], brokenRegions: new Map() };
  collectFunctions(hits, scan.copies, context, found);
  // The piece's static helpers, then the functions that call the new ones
  // without a catalogue call of their own (not copied yet), and so on.
  let copied = scan.copies;
  for (let fresh = summarizeHelpers(found, context); fresh.length > 0;) {
    const more = helperHits(text, piece, new Set(fresh)).filter(
      (h) => !insideAny(copied, h.offset),
    );
    if (more.length === 0) break;
    const extra = scanTopLevel(
      tree,
      text,
      more.map((h) => h.offset),
      context.counter,
    );
    copied = [...copied, ...extra.copies].sort((a, b) => a.startIndex - b.startIndex);
    collectFunctions(more, extra.copies, context, found);
    fresh = summarizeHelpers(found, context);
  }
  const { functions, brokenSites, brokenRegions } = found;

  const runs: Run[] = [];
  const verdicts: Verdict[] = [];
  const diagnostics: Diagnostic[] = [];
  // In text order: functions found through a helper's calls came last.
  const inOrder = [...functions.values()].sort((a, b) => a.fn.startIndex - b.fn.startIndex);
  for (const { fn, calls } of inOrder) {
    const body = fn.childForFieldName("body");
    if (!body) continue;
    // The analysis recurses along the tree: a function nested deeper than
    // maxAnalysedDepth (generated code) is left alone before it starts, so
    // the verdict does not depend on how much stack the caller left. The
    // catch is the backstop should a smaller stack run out below the bound.
    let result: ReturnType<typeof analyzeFunction> | null = null;
    if (fn.height <= maxAnalysedDepth) {
      try {
        result = analyzeFunction(body, context.names, minRun);
      } catch (err) {
        if (!(err instanceof RangeError)) throw err;
      }
    }
    if (result) {
      runs.push(...result.runs);
      verdicts.push(...result.verdicts);
      continue;
    }
    for (const site of calls) verdicts.push({ site, run: null, reason: "unsupported-syntax" });
    diagnostics.push({
      offset: fn.startIndex,
      severity: "warning",
      rule: "unsupported-syntax",
      message: "this function is nested too deeply to analyse: its calls are left untouched",
    });
  }
  for (const site of brokenSites) verdicts.push({ site, run: null, reason: "parse-error" });
  diagnostics.push(
    ...parseErrorDiagnostics(
      text,
      tree,
      [...brokenRegions.values()],
      [...functions.values()].filter((f) => f.fn.hasError).map((f) => f.fn),
    ),
  );

  if (context.manualBatch) {
    return {
      runs: [],
      verdicts: verdicts.map((v) => ({
        site: v.site,
        run: null,
        reason: v.site.reason ?? "manual-batch",
      })),
      diagnostics,
      topLevel: scan.entries,
    };
  }
  return { runs, verdicts, diagnostics, topLevel: scan.entries };
}

/** The original dBatch's header, or the file's own batch_start/batch_flush. */
function manualBatchDiagnostic(text: string): Diagnostic | null {
  const seedHeader = seedHeaderPattern.exec(text);
  const own = seedHeader ? null : ownBatchFunctionPattern.exec(text);
  if (!seedHeader && !own) return null;
  const name = own?.[1] ?? own?.[2] ?? own?.[3] ?? "";
  return {
    offset: seedHeader?.index ?? (own ? own.index + own[0].indexOf(name) : 0),
    severity: "warning",
    rule: "manual-batch",
    message: seedHeader
      ? "the file uses the original dBatch's <linux/batch.h> (one run from the start): left untouched"
      : `the file has its own ${name}() (it would clash with <dbatch.h>'s): left untouched`,
  };
}

/**
 * One warning per line holding the start of an ERROR or MISSING node,
 * wherever it is (between functions too, where no call is affected): the
 * user learns that part of the file was not understood. An error inside a
 * region whose calls are left untouched says so.
 */
function parseErrorDiagnostics(
  text: string,
  tree: SyntaxTree,
  brokenRegions: readonly CNode[],
  readFunctions: readonly CNode[],
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  let lastLineStart = -1;
  for (const offset of errorOffsets(tree)) {
    const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
    if (lineStart === lastLineStart) continue;
    lastLineStart = lineStart;
    const within = (r: CNode) => r.startIndex <= offset && offset < r.endIndex;
    const region = brokenRegions.find(within);
    const read = !region && readFunctions.some(within);
    diagnostics.push({
      offset,
      severity: "warning",
      rule: "parse-error",
      message: read
        ? "syntax error (or a macro tree-sitter cannot parse): the statement holding it is left untouched"
        : !region
          ? "syntax error (or a macro tree-sitter cannot parse): this code is not transformed"
          : region.type === "function_definition"
            ? "syntax error in this function (or a macro tree-sitter cannot parse): its calls are left untouched"
            : "syntax error (or a macro tree-sitter cannot parse): the calls here are left untouched",
    });
  }
  return diagnostics;
}
