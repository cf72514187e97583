// The facts of a statement: what it contains (catalogue call sites, hazards,
// identifiers it reads, buffers deferred reads fill, opens whose fd could stay
// a placeholder) and where its nested statement lists are. Computed bottom-up,
// once per statement (statements.ts), so a statement's facts do not depend on
// where a run around it starts or ends; runs.ts decides that.
import type { SyscallSpec } from "@dbatch/catalogue";
import type { CNode as SyntaxNode } from "../syntax-tree.ts";
import type { ReasonId } from "../reasons.ts";
import type { CalleeKind } from "./callee.ts";
import type { CheckedCall } from "./checked.ts";

/** A checked call (checked.ts) with its site. */
export interface SiteCheck extends CheckedCall {
  readonly site: CallSite;
  /** Checked through this variable (`ret = write(...); if (ret != n) ...`). */
  readonly variable?: string;
}

/**
 * What a caller needs to know of a static function of the file whose body
 * could be part of a run as it stands (summaries.ts): a call to it, its
 * result thrown away, joins a run like a call statement.
 */
export interface HelperSummary {
  readonly name: string;
  /** Where its definition starts: only calls after it use the summary. */
  readonly definedAt: number;
  /** The catalogue calls its body makes, in text order (its helpers' included). */
  readonly calls: readonly string[];
  /** Identifiers its body mentions: a caller's run reads them at the call. */
  readonly mentions: ReadonlySet<string>;
  /** Where its catalogue calls start, its helpers' included (the report's `through`). */
  readonly siteOffsets: readonly number[];
}

/** A call of such a function in a statement. */
export interface HelperCall {
  readonly node: SyntaxNode;
  readonly summary: HelperSummary;
}

/** A call of a catalogue syscall. */
export interface CallSite {
  readonly node: SyntaxNode;
  /** The name as written (write, pwrite, open64, ...). */
  readonly name: string;
  readonly spec: SyscallSpec;
  /** Why this call cannot be deferred whatever surrounds it; null when it can. */
  readonly reason: ReasonId | null;
}

/** `int fd = open(...)` or `fd = open(...)`: the fd is a placeholder until the flush. */
export interface OpenCandidate {
  readonly site: CallSite;
  readonly variable: string;
  /** The declarator or left-hand identifier that receives the fd. */
  readonly target: SyntaxNode;
}

/** A statement list where a run may be built. */
export interface StatementList {
  readonly statements: readonly SyntaxNode[];
  /** False for the unbraced body of an if/loop: no room to insert lines. */
  readonly placeable: boolean;
}

export interface StatementFacts {
  readonly node: SyntaxNode;
  /** Why the statement cannot be part of a run (first in text order); null: it can. */
  readonly hazard: ReasonId | null;
  /** break/continue that leave the statement (a loop or switch around them is outside it). */
  readonly escapesBreak: boolean;
  readonly escapesContinue: boolean;
  /** Every catalogue call in the statement. */
  readonly sites: readonly CallSite[];
  /** The calls in the statement's own expressions, not in nested statement lists. */
  readonly directSites: readonly CallSite[];
  /** Where runs may be found when the statement as a whole cannot join one. */
  readonly nested: readonly StatementList[];
  /** Identifiers whose value or memory the statement may read or write. */
  readonly mentions: ReadonlySet<string>;
  /** Base identifiers of the buffers deferred reads in the statement fill. */
  readonly readBuffers: ReadonlySet<string>;
  readonly opens: readonly OpenCandidate[];
  /** Calls of the file's summarised functions (summaries.ts), their results thrown away. */
  readonly helperCalls: readonly HelperCall[];
  /** Some call site (or summarised function's call) sits in a loop inside the statement. */
  readonly loopSite: boolean;
  /** The statement is exactly `batch_start();`. */
  readonly isBatchStart: boolean;
  readonly batchStartCalls: number;
  readonly batchFlushCalls: number;
  /** The statement is an `if` checking one call and leaving on failure (checked.ts). */
  readonly check: SiteCheck | null;
}

/** What the file says about names: what a called name is, which variables are shared. */
export interface NameResolver {
  resolve(name: string): CalleeKind;
  /** Declared volatile/atomic somewhere in the file. */
  isShared(name: string): boolean;
  /** Read by a #define of the file that does not take it as a parameter. */
  isMacroCaptured(name: string): boolean;
  /** A macro of the file: the names its expansion reads (through the file's macros). */
  macroReads(name: string): readonly string[] | undefined;
  /** A macro of the file that is not a side-effect-free expression. */
  isImpureMacro(name: string): boolean;
  /**
   * Never returns: libc's (exit, err, ...) unless the file defines its own,
   * or declared so in the file or in what the caller read for it.
   */
  isNoreturn(name: string): boolean;
  /**
   * [start, end) crosses the edge of a conditional group an `else` runs
   * into (conditional-else.ts): its ends differ per configuration.
   */
  crossesConditional(start: number, end: number): boolean;
}

/** Collects one statement's facts while its parts are walked. */
export class FactsBuilder {
  hazard: ReasonId | null = null;
  escapesBreak = false;
  escapesContinue = false;
  readonly sites: CallSite[] = [];
  readonly directSites: CallSite[] = [];
  readonly nested: StatementList[] = [];
  readonly mentions = new Set<string>();
  readonly readBuffers = new Set<string>();
  readonly opens: OpenCandidate[] = [];
  readonly helperCalls: HelperCall[] = [];
  loopSite = false;
  batchStartCalls = 0;
  batchFlushCalls = 0;
  check: SiteCheck | null = null;

  fail(reason: ReasonId): void {
    if (this.hazard === null) this.hazard = reason;
  }

  /** Take in a nested statement's facts (its hazard, sites, names...). */
  absorb(child: StatementFacts): void {
    if (child.hazard) this.fail(child.hazard);
    // Nested in a statement, a check's failure branch could not be run after
    // the flush in its place: the result is used as written.
    if (child.check) this.fail("result-used");
    this.escapesBreak ||= child.escapesBreak;
    this.escapesContinue ||= child.escapesContinue;
    this.sites.push(...child.sites);
    for (const m of child.mentions) this.mentions.add(m);
    for (const b of child.readBuffers) this.readBuffers.add(b);
    this.opens.push(...child.opens);
    this.helperCalls.push(...child.helperCalls);
    this.loopSite ||= child.loopSite;
    this.batchStartCalls += child.batchStartCalls;
    this.batchFlushCalls += child.batchFlushCalls;
  }

  /**
   * Take in what a loop or switch body found, checked as its own scope: every
   * fact but the jumps and loop flag, which each caller decides (a break
   * inside a loop stays inside it; inside a switch it leaves only the switch).
   */
  takeScope(inner: FactsBuilder): void {
    if (inner.hazard) this.fail(inner.hazard);
    this.sites.push(...inner.sites);
    this.directSites.push(...inner.directSites);
    for (const m of inner.mentions) this.mentions.add(m);
    for (const r of inner.readBuffers) this.readBuffers.add(r);
    this.opens.push(...inner.opens);
    this.helperCalls.push(...inner.helperCalls);
    this.batchStartCalls += inner.batchStartCalls;
    this.batchFlushCalls += inner.batchFlushCalls;
  }

  build(node: SyntaxNode, isBatchStart: boolean): StatementFacts {
    return {
      node,
      hazard: this.hazard,
      escapesBreak: this.escapesBreak,
      escapesContinue: this.escapesContinue,
      sites: this.sites,
      directSites: this.directSites,
      nested: this.nested,
      mentions: this.mentions,
      readBuffers: this.readBuffers,
      opens: this.opens,
      helperCalls: this.helperCalls,
      loopSite: this.loopSite,
      isBatchStart,
      batchStartCalls: this.batchStartCalls,
      batchFlushCalls: this.batchFlushCalls,
      check: this.check,
    };
  }
}

/** A node that is a statement in a statement list (comments and punctuation are not). */
export function isStatementNode(node: SyntaxNode): boolean {
  return node.isNamed && node.type !== "comment";
}

export function intersects(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size === 0 || b.size === 0) return false;
  const [small, large] = a.size < b.size ? [a, b] : [b, a];
  for (const x of small) if (large.has(x)) return true;
  return false;
}

/** Calls a run holding these statements makes: its call sites and its summarised functions' calls. */
export function callWeight(f: StatementFacts): number {
  let n = f.sites.length;
  for (const h of f.helperCalls) n += h.summary.calls.length;
  return n;
}
