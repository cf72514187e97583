// What the transform keeps of a file once a piece's syntax tree is dropped:
// its runs and call-site verdicts as numbers in typed arrays, call names as
// indices into one table. A 20 MB file has half a million call sites; as
// objects (with a fresh name string each) they were most of the memory the
// transform held, here they are 16 bytes a site.
import type { SiteCheck } from "./analyze/facts.ts";
import type { Run, Verdict } from "./analyze/function.ts";
import type { CNode as SyntaxNode } from "./syntax-tree.ts";
import { reasonIds, type ReasonId } from "./reasons.ts";

/** A growable column of 32-bit integers. */
class IntColumn {
  private data = new Int32Array(256);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  at(index: number): number {
    return this.data[index] ?? 0;
  }
}

/** Where a call is in the text: [start, end). */
export interface CallSpan {
  readonly callStart: number;
  readonly callEnd: number;
}

/** A checked call of a run (analyze/checked.ts), as the plan needs it. */
export interface CheckRecord extends CallSpan {
  readonly kind: "error" | "count";
  /** The count a full transfer returns ("count"), as written; "0" otherwise. */
  readonly expected: string;
  /** The failure branch, as written: run after the flush when this check failed ("": none, an assignment). */
  readonly failure: string;
  /** Where the failure branch starts in the text. */
  readonly failureStart: number;
  /** Checked through this variable: the flush assigns it the real value instead. */
  readonly variable: string | null;
  /**
   * A failure branch that goes on: the run's statements after this check, as
   * written, run after the branch when this check failed ("": none).
   */
  readonly rest: string;
  /** Where the rest starts in the text (the end of the check's statement). */
  readonly restStart: number;
  /**
   * A later call of an `||` chain: it fails into the branch of the record
   * before it (its own failure and rest are "").
   */
  readonly chained: boolean;
}

const reasonIndex = new Map<ReasonId, number>(reasonIds.map((id, i) => [id, i]));

/** What the plan needs of a run's check (one record a call); @last is the run's last statement. */
function checkRecords(c: SiteCheck, last: SyntaxNode): CheckRecord[] {
  // The check's own statement: the `if` whose branch the failure is.
  const statement = c.failure?.parent;
  const restStart = statement?.endIndex ?? 0;
  const rest =
    !c.leaves && statement && restStart < last.endIndex
      ? statement.sourceSlice(restStart, last.endIndex)
      : "";
  const first: CheckRecord = {
    callStart: c.call.startIndex,
    callEnd: c.call.endIndex,
    kind: c.kind,
    expected: c.expected,
    failure: c.failure?.text ?? "",
    failureStart: c.failure?.startIndex ?? 0,
    variable: c.variable ?? null,
    rest,
    restStart,
    chained: false,
  };
  const chained = c.also.map((link): CheckRecord => ({
    ...first,
    callStart: link.call.startIndex,
    callEnd: link.call.endIndex,
    kind: link.kind,
    expected: link.expected,
    failure: "",
    rest: "",
    chained: true,
  }));
  return [first, ...chained];
}

// Statements and expressions whose parts may not run every time they do.
const conditionalTypes = new Set([
  "if_statement",
  "else_clause",
  "switch_statement",
  "case_statement",
  "conditional_expression",
  "binary_expression",
]);

/** Whether @node sits under a condition inside the run's statement (a sibling of @first). */
function conditional(node: SyntaxNode, first: SyntaxNode): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (conditionalTypes.has(n.type)) return true;
    if (n.parent === first.parent) return false;
  }
  return false;
}

export class FileRecords {
  private readonly names: string[] = [];
  private readonly nameIds = new Map<string, number>();
  // Runs: where the first statement starts, where the last starts and ends,
  // 1 when it was wrapped already, and where its calls start in `runCalls`.
  private readonly runStarts = new IntColumn();
  private readonly runLastStarts = new IntColumn();
  private readonly runLastEnds = new IntColumn();
  private readonly runExisting = new IntColumn();
  private readonly runCallsFrom = new IntColumn();
  private readonly runCalls = new IntColumn();
  // Checked calls, by run index (few runs have any).
  private readonly checks = new Map<number, CheckRecord[]>();
  // Opens whose number is never read (fd-escape.ts), by run index: [start, end) of each call.
  private readonly unseenOpens = new Map<number, CallSpan[]>();
  // Sites: offset, name id, run index (-1: none), reason index (-1: none).
  private readonly siteOffsets = new IntColumn();
  private readonly siteNames = new IntColumn();
  private readonly siteRuns = new IntColumn();
  private readonly siteReasons = new IntColumn();
  /**
   * Call sites in a summarised helper, by offset: the first run that calls
   * the helper (its calls are recorded there) and the helper it calls.
   */
  private readonly through = new Map<number, { run: number; helper: string }>();

  get runCount(): number {
    return this.runStarts.length;
  }

  get siteCount(): number {
    return this.siteOffsets.length;
  }

  /** Records one piece's runs and verdicts (the piece's nodes are not kept). */
  addPiece(runs: readonly Run[], verdicts: readonly Verdict[]): void {
    const index = new Map<Run, number>();
    for (const run of runs) {
      index.set(run, this.runStarts.length);
      this.runStarts.push(run.first.startIndex);
      this.runLastStarts.push(run.last.startIndex);
      this.runLastEnds.push(run.last.endIndex);
      this.runExisting.push(run.existing ? 1 : 0);
      this.runCallsFrom.push(this.runCalls.length);
      const checks = run.checks.flatMap((c) => checkRecords(c, run.last));
      if (checks.length > 0) this.checks.set(this.runStarts.length - 1, checks);
      // An open under a condition of the run may not run when the run
      // does: the variable then still holds the stand-in of an earlier
      // window (a loop's previous turn), which means nothing once that
      // window closed. Such an open reserves its number.
      const unseen = run.opens.filter((o) => !conditional(o.site.node, run.first));
      if (unseen.length > 0 && !run.existing) {
        this.unseenOpens.set(
          this.runStarts.length - 1,
          unseen.map((o) => ({
            callStart: o.site.node.startIndex,
            callEnd: o.site.node.endIndex,
          })),
        );
      }
      // A summarised helper's call is listed as `name()` where it is made.
      const calls = [
        ...run.sites.map((site) => ({ at: site.node.startIndex, name: site.name })),
        ...run.helperCalls.map((h) => ({ at: h.node.startIndex, name: `${h.summary.name}()` })),
      ].sort((a, b) => a.at - b.at);
      for (const call of calls) this.runCalls.push(this.nameId(call.name));
      for (const h of run.helperCalls) {
        for (const offset of h.summary.siteOffsets) {
          if (!this.through.has(offset)) {
            this.through.set(offset, { run: this.runStarts.length - 1, helper: h.summary.name });
          }
        }
      }
    }
    for (const v of verdicts) {
      this.siteOffsets.push(v.site.node.startIndex);
      this.siteNames.push(this.nameId(v.site.name));
      this.siteRuns.push(v.run ? (index.get(v.run) ?? -1) : -1);
      this.siteReasons.push(v.reason === null ? -1 : (reasonIndex.get(v.reason) ?? -1));
    }
  }

  runStart(run: number): number {
    return this.runStarts.at(run);
  }

  runLastStart(run: number): number {
    return this.runLastStarts.at(run);
  }

  runLastEnd(run: number): number {
    return this.runLastEnds.at(run);
  }

  /** Already wrapped by hand or by an earlier transform: no edits. */
  isExisting(run: number): boolean {
    return this.runExisting.at(run) === 1;
  }

  /** The run's checked calls in order (tag = position + 1). */
  runChecks(run: number): readonly CheckRecord[] {
    return this.checks.get(run) ?? [];
  }

  /** The run's opens whose fd is used only by its later calls (batch_open_unseen()). */
  runUnseenOpens(run: number): readonly CallSpan[] {
    return this.unseenOpens.get(run) ?? [];
  }

  /** The calls in the run as written, in text order. */
  runCallNames(run: number): string[] {
    const from = this.runCallsFrom.at(run);
    const to = run + 1 < this.runCount ? this.runCallsFrom.at(run + 1) : this.runCalls.length;
    const names: string[] = [];
    for (let i = from; i < to; i++) names.push(this.name(this.runCalls.at(i)));
    return names;
  }

  siteOffset(site: number): number {
    return this.siteOffsets.at(site);
  }

  siteCall(site: number): string {
    return this.name(this.siteNames.at(site));
  }

  /** The run the site is batched in (its own, or one calling its helper), or -1. */
  siteRun(site: number): number {
    const own = this.siteRuns.at(site);
    return own >= 0 ? own : (this.through.get(this.siteOffsets.at(site))?.run ?? -1);
  }

  /** The helper through whose call the site is batched (not in a run of its own), or null. */
  siteThrough(site: number): string | null {
    if (this.siteRuns.at(site) >= 0) return null;
    return this.through.get(this.siteOffsets.at(site))?.helper ?? null;
  }

  siteReason(site: number): ReasonId | null {
    return reasonIds[this.siteReasons.at(site)] ?? null;
  }

  counts(): { runs: number; batched: number; notBatched: number } {
    let batched = 0;
    for (let site = 0; site < this.siteCount; site++) if (this.siteRun(site) >= 0) batched++;
    return { runs: this.runCount, batched, notBatched: this.siteCount - batched };
  }

  /** Where the first run to wrap starts, or null when every run exists already. */
  firstFreshRun(): number | null {
    let first: number | null = null;
    for (let r = 0; r < this.runCount; r++) {
      if (this.isExisting(r)) continue;
      const start = this.runStart(r);
      if (first === null || start < first) first = start;
    }
    return first;
  }

  // One string per distinct name: every report of a `write` shares it.
  private nameId(name: string): number {
    let id = this.nameIds.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.nameIds.set(name, id);
    }
    return id;
  }

  private name(id: number): string {
    return this.names[id] ?? "";
  }
}
