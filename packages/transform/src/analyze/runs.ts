// Splits a statement list into runs at hazards, decides which runs are worth
// a batch_start()/batch_flush() pair (and have room for one), and gives every
// catalogue call a verdict.
import type { ReasonId } from "../reasons.ts";
import type { CNode as SyntaxNode } from "../syntax-tree.ts";
import {
  callWeight,
  isStatementNode,
  type CallSite,
  type HelperCall,
  type NameResolver,
  type OpenCandidate,
  type SiteCheck,
  type StatementFacts,
  type StatementList,
} from "./facts.ts";
import { batchFlushCheckedName } from "../known-functions.ts";
import { assignedCheck, isPure } from "./checked.ts";
import { StatementClassifier } from "./statements.ts";

/** A run of statements in one list that holds call sites. */
export interface Run {
  /** First and last statement holding a call (plain statements at the edges left out). */
  readonly first: SyntaxNode;
  readonly last: SyntaxNode;
  readonly sites: readonly CallSite[];
  /** Calls of the file's summarised functions in the run (their calls are recorded too). */
  readonly helperCalls: readonly HelperCall[];
  readonly opens: readonly OpenCandidate[];
  /** The opens that are statements of the run itself (not inside an if or a loop of it). */
  readonly directOpens: readonly OpenCandidate[];
  /** Already wrapped in batch_start()/batch_flush() by hand or by an earlier run. */
  readonly existing: boolean;
  /** The run's checked calls (checked.ts), in order: check n is tag n + 1. */
  readonly checks: readonly SiteCheck[];
}

export interface Verdict {
  readonly site: CallSite;
  /** The run the site is batched in, or null. */
  readonly run: Run | null;
  readonly reason: ReasonId | null;
}

/** A statement that may join the run being built, and where it sits in its list. */
interface Member {
  readonly index: number;
  readonly facts: StatementFacts;
}

/** The call's arguments have no side effects (comments aside). */
function pureArguments(call: SyntaxNode, names: NameResolver): boolean {
  const args = call.childForFieldName("arguments")?.namedChildren ?? [];
  return args.every((a) => a.type === "comment" || isPure(a, names));
}

/**
 * A statement that may come after a checked call in a run: another check, or
 * a call statement, either with arguments that have no side effects
 * (evaluating them while recording is then unobservable when an earlier
 * check fails, and evaluating them again is what re-running them after a
 * failed check that goes on does).
 */
function mayFollowCheck(f: StatementFacts, names: NameResolver): boolean {
  if (f.check) return [f.check, ...f.check.also].every((link) => pureArguments(link.call, names));
  if (f.node.type !== "expression_statement" || f.sites.length !== 1 || f.helperCalls.length)
    return false;
  const call = f.node.namedChildren.find((c) => c.type !== "comment");
  return call?.type === "call_expression" && pureArguments(call, names);
}

/**
 * Checks whose failure branch goes on that one run may hold: each copies
 * the rest of the run after the flush (plan.ts), so the copies grow with
 * the square of their number.
 */
const maxGoingOnChecks = 8;

/** Checked calls a run may hold: its dispatch has a branch for each. */
const maxChecks = 64;

/** A list entry: a statement, or null where a label splits the list. */
type ListEntry = StatementFacts | null;

export class RunFinder {
  readonly runs: Run[] = [];
  readonly verdicts: Verdict[] = [];
  /** Every run with calls, batched or not (opens are checked in all of them). */
  readonly allRuns: Run[] = [];
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
    let afterBroken = false;
    // Checked calls among `current`, and those whose failure branch goes on.
    let checks = 0;
    let goingOn = 0;
    const close = (after: ReasonId | null): void => {
      if (current.length) {
        this.closeRun(current, list.placeable, before, after, sitesBefore, total, fallback);
      }
      current = [];
      checks = 0;
      goingOn = 0;
      pending = new Set();
      before = after;
    };

    for (let i = 0; i < facts.length; i++) {
      const f = facts[i];
      if (!f) {
        close("label");
        afterBroken = false;
        continue;
      }
      if (f.isBatchStart) {
        const end = this.flushIndex(facts, i);
        close("manual-batch");
        const closing = end === null ? null : facts[end];
        if (end !== null && closing) {
          this.existingRun(facts.slice(i + 1, end));
          this.pairedBatchCalls += 2;
          if (closing.node.text.includes(batchFlushCheckedName)) {
            // The flush of a run with checks: its calls are copies of
            // failure branches and of the run's rest, run as written when a
            // check failed, and reported where they were copied from (the
            // copies get no verdict; searched, they would be batched again).
            // The run ended where a statement could not follow a check:
            // blame that, as the run that made it did.
            before = "after-check";
          } else {
            this.hazardStatement(closing, closing.hazard ?? "manual-batch");
          }
          i = end;
        }
        continue;
      }
      const hazard = f.hazard ?? (f.escapesBreak || f.escapesContinue ? "jump" : null);
      if (hazard) {
        close(hazard);
        this.hazardStatement(f, hazard);
        afterBroken = hazard === "parse-error";
        continue;
      }
      if (afterBroken) {
        // What tree-sitter could not read may be a statement-like macro
        // (`FOREACH(x)` without braces): the next statement may be its body,
        // so it starts no run and joins none.
        afterBroken = false;
        close("parse-error");
        this.hazardStatement(f, "parse-error");
        continue;
      }
      if ([...f.mentions].some((m) => pending.has(m))) close("read-buffer-used");
      // Once a check is in the run, the statements after it would not have
      // run had it failed: only calls, which the failed check cancels.
      if (checks > 0 && !mayFollowCheck(f, this.classifier.names)) close("after-check");
      // batch_checked_value() keeps the values of a window's first 16
      // checks; a variable is not assigned again by re-running the rest
      // of a run after a check that goes on.
      if (f.check?.variable && (checks >= 15 || goingOn > 0)) close("after-check");
      if (f.check && checks + 1 + f.check.also.length > maxChecks) close("after-check");
      if (f.check && !f.check.leaves && !f.check.variable && goingOn >= maxGoingOnChecks) {
        close("after-check");
      }
      current.push({ index: i, facts: f });
      if (f.check) checks += 1 + f.check.also.length;
      for (const b of f.readBuffers) pending.add(b);
      // The statements after it read the variable: the run (and its flush,
      // which assigns the real value) ends here.
      if (f.check?.variable) close("after-check");
      else if (f.check && !f.check.leaves) {
        // A check whose failure branch stays in the list: the calls after it
        // in the run are cancelled when it fails, and the flush then runs its
        // branch and the rest of the run as written (plan.ts), in place of
        // what recording them did: calls, whose arguments are evaluated
        // again, and checks, which are evaluated as the original does. Not
        // after an open: the rest would use its fd after the flush, where a
        // deferred open that failed has left a number the branch may reuse.
        if (current.some((m) => m.facts.opens.length > 0)) close("after-check");
        else goingOn++;
      }
    }
    close(null);
  }

  /**
   * The list's statements, with each label split from the statement it
   * labels: a run may start right after a label (a jump to it then opens
   * the run too), never span one.
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
    // `ret = write(...);`: the last call of a run, its variable assigned at the flush (checked.ts).
    for (let i = 0; i < out.length; i++) {
      const first = out[i];
      if (!first || first.check) continue;
      const check = assignedCheck(first.node, this.classifier.names);
      if (check) out[i] = this.classifier.assignedFacts(first.node, check);
    }
    return out;
  }

  /** Index of the statement closing the run batch_start() opens at i, if it is in this list. */
  private flushIndex(facts: readonly ListEntry[], start: number): number | null {
    for (let k = start + 1; k < facts.length; k++) {
      const f = facts[k];
      if (!f || f.batchStartCalls > 0) return null;
      if (f.batchFlushCalls > 0) return f.batchFlushCalls === 1 ? k : null;
    }
    return null;
  }

  private existingRun(inside: readonly ListEntry[]): void {
    const withSites = inside.filter((f): f is StatementFacts => f !== null && callWeight(f) > 0);
    const first = withSites[0];
    const last = withSites.at(-1);
    if (!first || !last) return;
    const run: Run = {
      first: first.node,
      last: last.node,
      sites: withSites.flatMap((f) => f.sites),
      helperCalls: withSites.flatMap((f) => f.helperCalls),
      opens: [],
      directOpens: [],
      existing: true,
      checks: [],
    };
    this.runs.push(run);
    for (const site of run.sites) this.verdicts.push({ site, run, reason: null });
  }

  private hazardStatement(f: StatementFacts, hazard: ReasonId): void {
    for (const site of f.directSites) {
      this.verdicts.push({ site, run: null, reason: site.reason ?? hazard });
    }
    for (const nested of f.nested) this.list(nested);
    this.failureBranchUnbatched(f);
  }

  /** A check left as written: its failure branch is code like any other, searched for runs. */
  private failureBranchUnbatched(f: StatementFacts): void {
    if (f.check?.failure) this.list(StatementClassifier.listOf(f.check.failure));
  }

  /** A batched check's failure branch runs after the flush as written (and is copied there). */
  private failureBranchBatched(branch: SyntaxNode): void {
    for (const site of this.classifier.facts(branch).sites)
      this.verdicts.push({ site, run: null, reason: site.reason ?? "failure-branch" });
  }

  private closeRun(
    candidates: readonly Member[],
    placeable: boolean,
    before: ReasonId | null,
    after: ReasonId | null,
    sitesBefore: readonly number[],
    total: number,
    fallback: ReasonId | null,
  ): void {
    const from = candidates.findIndex((m) => callWeight(m.facts) > 0);
    let to = candidates.length - 1;
    while (to >= 0 && callWeight(candidates[to]!.facts) === 0) to--;
    const first = candidates[from];
    const last = candidates[to];
    if (!first || !last) return;
    const members = candidates.slice(from, to + 1).map((m) => m.facts);
    const firstIndex = first.index;
    const lastIndex = last.index;
    const run: Run = {
      first: first.facts.node,
      last: last.facts.node,
      sites: members.flatMap((f) => f.sites),
      helperCalls: members.flatMap((f) => f.helperCalls),
      opens: members.flatMap((f) => f.opens),
      directOpens: members
        .filter((f) => f.node.type === "declaration" || f.node.type === "expression_statement")
        .flatMap((f) => f.opens),
      existing: false,
      checks: members.flatMap((f) => (f.check ? [f.check] : [])),
    };
    this.allRuns.push(run);
    const calls = members.reduce((n, f) => n + callWeight(f), 0);
    const worthIt = calls >= this.minRun || members.some((f) => f.loopSite);
    if (worthIt && placeable) {
      this.runs.push(run);
      for (const site of run.sites) this.verdicts.push({ site, run, reason: null });
      for (const f of members) if (f.check?.failure) this.failureBranchBatched(f.check.failure);
      return;
    }
    if (worthIt) {
      // Worth a run but no room for batch_start()/batch_flush() (the unbraced body of an if or a
      // loop): look for runs inside the statements' own blocks instead.
      for (const f of members) {
        for (const site of f.directSites)
          this.verdicts.push({ site, run: null, reason: "no-block" });
        for (const nested of f.nested) this.list(nested, "no-block");
        this.failureBranchUnbatched(f);
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
    for (const site of run.sites) this.verdicts.push({ site, run: null, reason });
    for (const f of members) this.failureBranchUnbatched(f);
  }
}
