// Finds the runs of one function: walks its statement lists, splits each into
// stretches at hazards, decides which stretches are worth a window, and gives
// every catalogue call a verdict. An open whose fd leaks out of its run is
// rejected and the function analysed again (at most once per open).
import type { CNode as SyntaxNode } from "./syntax-tree.ts";
import type { ReasonId } from "./reasons.ts";
import {
  StatementClassifier,
  isStatementNode,
  type NameResolver,
  type CallSite,
  type OpenCandidate,
  type StatementFacts,
  type StatementList,
} from "./statement-facts.ts";

/** A stretch of statements in one list that holds call sites. */
export interface Stretch {
  /** First and last statement holding a call (plain statements at the edges left out). */
  readonly first: SyntaxNode;
  readonly last: SyntaxNode;
  readonly sites: readonly CallSite[];
  readonly opens: readonly OpenCandidate[];
  /** The opens that are statements of the stretch itself (not inside an if or a loop of it). */
  readonly directOpens: readonly OpenCandidate[];
  /** Already wrapped in batch_start()/batch_flush() by hand or by an earlier run. */
  readonly existing: boolean;
}

export interface Verdict {
  readonly site: CallSite;
  /** The stretch the site is batched in, or null. */
  readonly stretch: Stretch | null;
  readonly reason: ReasonId | null;
}

export interface FunctionAnalysis {
  /** Stretches to wrap (new) or already wrapped (existing). */
  readonly runs: readonly Stretch[];
  readonly verdicts: readonly Verdict[];
}

export function analyzeFunction(
  body: SyntaxNode,
  names: NameResolver,
  minRun: number,
): FunctionAnalysis {
  const rejected = new Set<number>();
  for (;;) {
    const classifier = new StatementClassifier(names, rejected);
    const walker = new RunFinder(classifier, minRun);
    walker.list(StatementClassifier.listOf(body));
    const bodyFacts = classifier.facts(body);
    const batchCalls = bodyFacts.batchStartCalls + bodyFacts.batchFlushCalls;
    if (walker.pairedBatchCalls !== batchCalls) {
      // Windows opened here and closed elsewhere (or the other way round):
      // the author manages them; adding ours could nest or split theirs.
      return {
        runs: [],
        verdicts: bodyFacts.sites.map((site) => ({ site, stretch: null, reason: "manual-batch" })),
      };
    }
    const leaks = leakingOpens(body, walker.stretches);
    if (leaks.length === 0) return { runs: walker.runs, verdicts: walker.verdicts };
    for (const open of leaks) rejected.add(open.site.node.startIndex);
  }
}

/** A statement that may join the stretch being built, and where it sits in its list. */
interface Member {
  readonly index: number;
  readonly facts: StatementFacts;
}

/** A list entry: a statement, or null where a label splits the list. */
type ListEntry = StatementFacts | null;

class RunFinder {
  readonly runs: Stretch[] = [];
  readonly verdicts: Verdict[] = [];
  /** Every stretch with calls, batched or not (opens are checked in all of them). */
  readonly stretches: Stretch[] = [];
  pairedBatchCalls = 0;

  constructor(
    private readonly classifier: StatementClassifier,
    private readonly minRun: number,
  ) {}

  /**
   * @param fallback the reason to give instead of single-call: set when this
   *   list is searched because a run around it could not be placed.
   */
  list(list: StatementList, fallback: ReasonId | null = null): void {
    const facts = this.entries(list.statements);
    // sitesBefore[i]: call sites in entries [0, i).
    const sitesBefore = [0];
    for (const f of facts) sitesBefore.push((sitesBefore.at(-1) ?? 0) + (f?.sites.length ?? 0));
    const total = sitesBefore.at(-1) ?? 0;

    let current: Member[] = [];
    let pending = new Set<string>();
    let before: ReasonId | null = null;
    const close = (after: ReasonId | null): void => {
      if (current.length) {
        this.stretch(current, list.placeable, before, after, sitesBefore, total, fallback);
      }
      current = [];
      pending = new Set();
      before = after;
    };

    for (let i = 0; i < facts.length; i++) {
      const f = facts[i];
      if (!f) {
        close("label");
        continue;
      }
      if (f.isBatchStart) {
        const end = this.windowEnd(facts, i);
        close("manual-batch");
        const closing = end === null ? null : facts[end];
        if (end !== null && closing) {
          this.existingWindow(facts.slice(i + 1, end));
          this.pairedBatchCalls += 2;
          this.hazardStatement(closing, closing.hazard ?? "manual-batch");
          i = end;
        }
        continue;
      }
      const hazard = f.hazard ?? (f.escapesBreak || f.escapesContinue ? "jump" : null);
      if (hazard) {
        close(hazard);
        this.hazardStatement(f, hazard);
        continue;
      }
      if ([...f.mentions].some((m) => pending.has(m))) close("read-buffer-used");
      current.push({ index: i, facts: f });
      for (const b of f.readBuffers) pending.add(b);
    }
    close(null);
  }

  /**
   * The list's statements, with each label split from the statement it
   * labels: a run may start right after a label (a jump to it then opens
   * the window too), never span one.
   */
  private entries(statements: readonly SyntaxNode[]): ListEntry[] {
    const out: ListEntry[] = [];
    for (const statement of statements) {
      let node: SyntaxNode | undefined = statement;
      while (node?.type === "labeled_statement") {
        out.push(null);
        node = node.namedChildren.find(
          (c) => isStatementNode(c) && c.type !== "statement_identifier",
        );
      }
      // A declaration right after a label is not C before C23: keep it a hazard.
      if (node && node !== statement && node.type === "declaration") {
        out.push(this.classifier.facts(statement));
      } else if (node) {
        out.push(this.classifier.facts(node));
      }
    }
    return out;
  }

  /** Index of the statement closing the window batch_start() opens at i, if it is in this list. */
  private windowEnd(facts: readonly ListEntry[], start: number): number | null {
    for (let k = start + 1; k < facts.length; k++) {
      const f = facts[k];
      if (!f || f.batchStartCalls > 0) return null;
      if (f.batchFlushCalls > 0) return f.batchFlushCalls === 1 ? k : null;
    }
    return null;
  }

  private existingWindow(inside: readonly ListEntry[]): void {
    const withSites = inside.filter((f): f is StatementFacts => (f?.sites.length ?? 0) > 0);
    const first = withSites[0];
    const last = withSites.at(-1);
    if (!first || !last) return;
    const stretch: Stretch = {
      first: first.node,
      last: last.node,
      sites: withSites.flatMap((f) => f.sites),
      opens: [],
      directOpens: [],
      existing: true,
    };
    this.runs.push(stretch);
    for (const site of stretch.sites) this.verdicts.push({ site, stretch, reason: null });
  }

  private hazardStatement(f: StatementFacts, hazard: ReasonId): void {
    for (const site of f.directSites) {
      this.verdicts.push({ site, stretch: null, reason: site.reason ?? hazard });
    }
    for (const nested of f.nested) this.list(nested);
  }

  private stretch(
    candidates: readonly Member[],
    placeable: boolean,
    before: ReasonId | null,
    after: ReasonId | null,
    sitesBefore: readonly number[],
    total: number,
    fallback: ReasonId | null,
  ): void {
    const from = candidates.findIndex((m) => m.facts.sites.length > 0);
    let to = candidates.length - 1;
    while (to >= 0 && candidates[to]!.facts.sites.length === 0) to--;
    const first = candidates[from];
    const last = candidates[to];
    if (!first || !last) return;
    const members = candidates.slice(from, to + 1).map((m) => m.facts);
    const firstIndex = first.index;
    const lastIndex = last.index;
    const stretch: Stretch = {
      first: first.facts.node,
      last: last.facts.node,
      sites: members.flatMap((f) => f.sites),
      opens: members.flatMap((f) => f.opens),
      directOpens: members
        .filter((f) => f.node.type === "declaration" || f.node.type === "expression_statement")
        .flatMap((f) => f.opens),
      existing: false,
    };
    this.stretches.push(stretch);
    const worthIt = stretch.sites.length >= this.minRun || members.some((f) => f.loopSite);
    if (worthIt && placeable) {
      this.runs.push(stretch);
      for (const site of stretch.sites) this.verdicts.push({ site, stretch, reason: null });
      return;
    }
    if (worthIt) {
      // Worth a window but no room for one (the unbraced body of an if or a
      // loop): look for runs inside the statements' own blocks instead.
      for (const f of members) {
        for (const site of f.directSites)
          this.verdicts.push({ site, stretch: null, reason: "no-block" });
        for (const nested of f.nested) this.list(nested, "no-block");
      }
      return;
    }
    // Too short: blame the boundary that kept other calls of this list out.
    // Not a neighbour whose result is used: result-used says the blamed
    // call's own result is used, which is not true of this one.
    const sitesAfter = total - (sitesBefore[lastIndex + 1] ?? 0) > 0;
    const sitesEarlier = (sitesBefore[firstIndex] ?? 0) > 0;
    let reason: ReasonId = fallback ?? "single-call";
    if (after && after !== "result-used" && sitesAfter) reason = after;
    else if (before && before !== "result-used" && sitesEarlier) reason = before;
    for (const site of stretch.sites) this.verdicts.push({ site, stretch: null, reason });
  }
}

/** Opens whose fd variable is used other than as the fd of a deferred call in the same run. */
function leakingOpens(body: SyntaxNode, stretches: readonly Stretch[]): OpenCandidate[] {
  const candidates = stretches.flatMap((s) => s.opens.map((open) => ({ open, stretch: s })));
  if (candidates.length === 0) return [];
  const references = identifierReferences(body, new Set(candidates.map((c) => c.open.variable)));
  // An fd argument that follows, in its own stretch, a statement re-opening
  // the variable sees that new fd, never an earlier open's placeholder.
  const fdArgumentsOf = new Map(stretches.map((s) => [s, fdArguments(s)] as const));
  const reopened = new Set<number>();
  for (const stretch of stretches) {
    for (const open of stretch.directOpens) {
      for (const ref of fdArgumentsOf.get(stretch) ?? []) {
        if (ref.text === open.variable && ref.startIndex > open.target.startIndex) {
          reopened.add(ref.startIndex);
        }
      }
    }
  }
  const leaks: OpenCandidate[] = [];
  for (const { open, stretch } of candidates) {
    const allowed = new Set<number>();
    // Only calls after the open: one before it, when the run is a loop body,
    // would see the previous iteration's fd, already flushed (and perhaps
    // the placeholder of an open that failed).
    for (const ref of fdArgumentsOf.get(stretch) ?? []) {
      if (ref.startIndex > open.target.startIndex) allowed.add(ref.startIndex);
    }
    for (const other of stretch.opens) {
      if (other.variable === open.variable) allowed.add(other.target.startIndex);
    }
    let declaredInScope = false;
    let leaks_ = false;
    for (const ref of references.get(open.variable) ?? []) {
      const declaration = localDeclaration(ref);
      if (declaration === "non-local") {
        leaks_ = true;
      } else if (declaration) {
        // The declaration the open's variable resolves to: in a block around the open, before it.
        const scope = declaration.parent;
        const target = open.target.startIndex;
        if (
          scope &&
          declaration.startIndex <= target &&
          scope.startIndex <= target &&
          target < scope.endIndex
        ) {
          declaredInScope = true;
        }
      } else if (
        !allowed.has(ref.startIndex) &&
        !reopened.has(ref.startIndex) &&
        !isOverwritten(ref)
      ) {
        leaks_ = true;
      }
    }
    if (leaks_ || !declaredInScope) leaks.push(open);
  }
  return leaks;
}

/** `v = ...`: the variable is written, its old value (a placeholder) not read. */
function isOverwritten(ref: SyntaxNode): boolean {
  const parent = ref.parent;
  if (parent?.type !== "assignment_expression" || parent.childForFieldName("left") !== ref)
    return false;
  const right = parent.childForFieldName("right");
  if (!right) return false;
  const operator = parent.text.slice(
    ref.endIndex - parent.startIndex,
    right.startIndex - parent.startIndex,
  );
  return operator.trim() === "=";
}

/** The identifiers passed as the fd argument of the stretch's calls. */
function fdArguments(stretch: Stretch): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  for (const site of stretch.sites) {
    const args =
      site.node.childForFieldName("arguments")?.namedChildren.filter(isStatementNode) ?? [];
    args.forEach((arg, i) => {
      const bare = unparenthesized(arg);
      if (site.spec.args[i]?.kind === "fd" && bare.type === "identifier") found.push(bare);
    });
  }
  return found;
}

function unparenthesized(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.type === "parenthesized_expression") {
    const inner = n.namedChildren.find(isStatementNode);
    if (!inner) break;
    n = inner;
  }
  return n;
}

/** Every `identifier` node in the subtree whose name is in `names`. */
function identifierReferences(
  root: SyntaxNode,
  names: ReadonlySet<string>,
): Map<string, SyntaxNode[]> {
  const found = new Map<string, SyntaxNode[]>();
  const stack = [root];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.type === "identifier") {
      const name = node.text;
      if (names.has(name)) {
        const list = found.get(name);
        if (list) list.push(node);
        else found.set(name, [node]);
      }
    }
    stack.push(...node.children);
  }
  return found;
}

const declaratorWrappers = new Set([
  "init_declarator",
  "pointer_declarator",
  "array_declarator",
  "attributed_declarator",
  "parenthesized_declarator",
]);

/**
 * The declaration whose declared name an identifier is: the declaration node
 * for an automatic variable, "non-local" for static/extern, null when the
 * identifier is a use.
 */
function localDeclaration(ref: SyntaxNode): SyntaxNode | "non-local" | null {
  let node = ref;
  let parent = node.parent;
  while (parent && declaratorWrappers.has(parent.type)) {
    if (parent.childForFieldName("declarator")?.id !== node.id) return null;
    node = parent;
    parent = node.parent;
  }
  if (!parent || parent.type !== "declaration") return null;
  if (!parent.childrenForFieldName("declarator").some((d) => d.id === node.id)) return null;
  const storage = parent.namedChildren.filter((c) => c.type === "storage_class_specifier");
  return storage.some((s) => s.text === "static" || s.text === "extern") ? "non-local" : parent;
}
