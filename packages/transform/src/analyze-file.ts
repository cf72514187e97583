// Analyses a whole file: a fast text pre-scan finds the functions that call a
// catalogue name at all (most of a large file never does), each of those is
// analysed if it parses cleanly, and the rest get parse-error verdicts.
import { catalogueLibcNames, catalogueEntry } from "./catalogue.ts";
import { FileNames, definedMacroNames } from "./callee.ts";
import { sharedVariableNames } from "./shared-variables.ts";
import { analyzeFunction, type Stretch, type Verdict } from "./analyze-function.ts";
import type { SyntaxNode, SyntaxTree } from "./parse.ts";
import type { CallSite } from "./statement-facts.ts";

export interface Diagnostic {
  readonly offset: number;
  readonly severity: "error" | "warning";
  readonly rule: string;
  readonly message: string;
}

export interface FileAnalysis {
  readonly runs: readonly Stretch[];
  readonly verdicts: readonly Verdict[];
  readonly diagnostics: readonly Diagnostic[];
  /** The file already includes <dbatch.h>. */
  readonly includesDbatch: boolean;
}

const callPattern = new RegExp(
  `\\b(?:${catalogueLibcNames.map((n) => n.replace(/[^\w]/g, "")).join("|")})\\s*\\(`,
  "g",
);
const seedHeaderPattern = /^[ \t]*#[ \t]*include[ \t]*[<"]linux\/batch\.h[>"]/m;
const dbatchHeaderPattern = /^[ \t]*#[ \t]*include[ \t]*[<"]dbatch\.h[>"]/m;

export function analyzeFile(text: string, tree: SyntaxTree, minRun: number): FileAnalysis {
  const root = tree.rootNode;
  const functions = new Map<number, SyntaxNode>();
  const brokenSites: CallSite[] = [];
  const brokenRegions = new Map<number, SyntaxNode>();
  const definedFunctions = new Set<string>();

  callPattern.lastIndex = 0;
  for (let m = callPattern.exec(text); m; m = callPattern.exec(text)) {
    const name = /^\w+/.exec(m[0])?.[0] ?? "";
    const node = root.descendantForIndex(m.index, m.index + name.length);
    if (node.type !== "identifier" || node.startIndex !== m.index) continue;
    const parent = node.parent;
    if (parent?.type === "function_declarator" && parent.parent?.type === "function_definition") {
      definedFunctions.add(name);
    }
    const isCall =
      parent?.type === "call_expression" && parent.childForFieldName("function")?.id === node.id;
    let fn: SyntaxNode | null = null;
    let error: SyntaxNode | null = null;
    for (let n: SyntaxNode | null = parent; n; n = n.parent) {
      if (n.type === "ERROR" && !error) error = n;
      // The outermost definition: a nested one is part of its parent's body.
      if (n.type === "function_definition") fn = n;
    }
    if (fn && !fn.hasError) {
      functions.set(fn.id, fn);
      continue;
    }
    if (!isCall && !error) continue;
    const spec = catalogueEntry(name);
    if (!spec) continue;
    const region = fn ?? error ?? node;
    brokenRegions.set(region.id, region);
    brokenSites.push({ node: isCall && parent ? parent : node, name, spec, reason: "parse-error" });
  }

  const callees = new FileNames(
    definedMacroNames(text),
    definedFunctions,
    sharedVariableNames(text),
  );
  const runs: Stretch[] = [];
  const verdicts: Verdict[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const fn of functions.values()) {
    const body = fn.childForFieldName("body");
    if (!body) continue;
    const result = analyzeFunction(body, callees, minRun);
    runs.push(...result.runs);
    verdicts.push(...result.verdicts);
  }
  for (const site of brokenSites) verdicts.push({ site, stretch: null, reason: "parse-error" });
  for (const region of brokenRegions.values()) {
    const error = firstError(region);
    diagnostics.push({
      offset: error.startIndex,
      severity: "warning",
      rule: "parse-error",
      message:
        region.type === "function_definition"
          ? "syntax error in this function (or a macro tree-sitter cannot parse): its calls are left untouched"
          : "syntax error (or a macro tree-sitter cannot parse): the calls here are left untouched",
    });
  }

  if (seedHeaderPattern.test(text)) {
    const at = seedHeaderPattern.exec(text)?.index ?? 0;
    diagnostics.push({
      offset: at,
      severity: "warning",
      rule: "manual-batch",
      message:
        "the file uses the original dBatch's <linux/batch.h> (window open from the start): left untouched",
    });
    return {
      runs: [],
      verdicts: verdicts.map((v) => ({
        site: v.site,
        stretch: null,
        reason: v.site.reason ?? "manual-batch",
      })),
      diagnostics,
      includesDbatch: dbatchHeaderPattern.test(text),
    };
  }
  return { runs, verdicts, diagnostics, includesDbatch: dbatchHeaderPattern.test(text) };
}

/** The first ERROR or MISSING node under (or at) node, in text order. */
function firstError(node: SyntaxNode): SyntaxNode {
  let n = node;
  for (;;) {
    if (n.type === "ERROR" || n.isMissing) return n;
    const child = n.children.find((c) => c.hasError || c.isMissing || c.type === "ERROR");
    if (!child) return n;
    n = child;
  }
}
