// Finds the runs of one function: walks its statement lists (runs.ts), gives
// every catalogue call a verdict, and when an open's fd leaks out of its run
// (fd-escape.ts) rejects that open and analyses the function again (at most
// once per open).
import { pointerAliases } from "./aliases.ts";
import { leakingOpens } from "./fd-escape.ts";
import type { NameResolver } from "./facts.ts";
import { RunFinder, type Run, type Verdict } from "./runs.ts";

export type { Run, Verdict } from "./runs.ts";
import { StatementClassifier } from "./statements.ts";
import type { CNode as SyntaxNode } from "../syntax-tree.ts";

export interface FunctionAnalysis {
  /** Stretches to wrap (new) or already wrapped (existing). */
  readonly runs: readonly Run[];
  readonly verdicts: readonly Verdict[];
}

export function analyzeFunction(
  body: SyntaxNode,
  names: NameResolver,
  minRun: number,
): FunctionAnalysis {
  const rejected = new Set<number>();
  const aliases = pointerAliases(body);
  for (;;) {
    const classifier = new StatementClassifier(names, rejected, aliases);
    const walker = new RunFinder(classifier, minRun);
    walker.list(StatementClassifier.listOf(body));
    const bodyFacts = classifier.facts(body);
    const batchCalls = bodyFacts.batchStartCalls + bodyFacts.batchFlushCalls;
    if (walker.pairedBatchCalls !== batchCalls) {
      // Runs opened here and closed elsewhere (or the other way round):
      // the author manages them; adding ours could nest or split theirs.
      return {
        runs: [],
        verdicts: bodyFacts.sites.map((site) => ({ site, run: null, reason: "manual-batch" })),
      };
    }
    const leaks = leakingOpens(body, walker.allRuns, names);
    if (leaks.length === 0) return { runs: walker.runs, verdicts: walker.verdicts };
    for (const open of leaks) rejected.add(open.site.node.startIndex);
  }
}
