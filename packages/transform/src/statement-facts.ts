// Classifies statements: what each one contains (catalogue call sites, hazards,
// identifiers it reads, buffers deferred reads fill, opens whose fd could stay
// a placeholder) and where its nested statement lists are. Computed bottom-up,
// once per statement, so a statement's facts do not depend on where a run
// around it starts or ends; the run builder (analyze-block.ts) decides that.
import type { SyscallSpec } from "@dbatch/catalogue";
import { batchFlushName, batchStartName } from "./known-functions.ts";
import type { CNode as SyntaxNode } from "./syntax-tree.ts";
import type { ReasonId } from "./reasons.ts";
import type { CalleeKind } from "./callee.ts";

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
  /** Some call site sits in a loop inside the statement. */
  readonly loopSite: boolean;
  /** The statement is exactly `batch_start();`. */
  readonly isBatchStart: boolean;
  readonly batchStartCalls: number;
  readonly batchFlushCalls: number;
}

/** What the file says about names: what a called name is, which variables are shared. */
export interface NameResolver {
  resolve(name: string): CalleeKind;
  /** Declared volatile/atomic somewhere in the file. */
  isShared(name: string): boolean;
}

class FactsBuilder {
  hazard: ReasonId | null = null;
  escapesBreak = false;
  escapesContinue = false;
  readonly sites: CallSite[] = [];
  readonly directSites: CallSite[] = [];
  readonly nested: StatementList[] = [];
  readonly mentions = new Set<string>();
  readonly readBuffers = new Set<string>();
  readonly opens: OpenCandidate[] = [];
  loopSite = false;
  batchStartCalls = 0;
  batchFlushCalls = 0;

  fail(reason: ReasonId): void {
    if (this.hazard === null) this.hazard = reason;
  }

  /** Take in a nested statement's facts (its hazard, sites, names...). */
  absorb(child: StatementFacts): void {
    if (child.hazard) this.fail(child.hazard);
    this.escapesBreak ||= child.escapesBreak;
    this.escapesContinue ||= child.escapesContinue;
    this.sites.push(...child.sites);
    for (const m of child.mentions) this.mentions.add(m);
    for (const b of child.readBuffers) this.readBuffers.add(b);
    this.opens.push(...child.opens);
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
      loopSite: this.loopSite,
      isBatchStart,
      batchStartCalls: this.batchStartCalls,
      batchFlushCalls: this.batchFlushCalls,
    };
  }
}

interface ExpressionContext {
  /** The expression's value is thrown away (statement, (void) cast, comma's left). */
  readonly discarded: boolean;
  /** Identifiers here are an address computed now, not memory read (a read's buffer). */
  readonly addressOnly: boolean;
}

const valueContext: ExpressionContext = { discarded: false, addressOnly: false };
const discardedContext: ExpressionContext = { discarded: true, addressOnly: false };

const ignoredExpressionTypes = new Set([
  "string_literal",
  "concatenated_string",
  "char_literal",
  "number_literal",
  "true",
  "false",
  "null",
  "comment",
  "field_identifier",
  "type_identifier",
  "primitive_type",
  "type_descriptor",
  "sizeof_expression",
  "alignof_expression",
  "offsetof_expression",
  "statement_identifier",
  "escape_sequence",
]);

const preprocessorConditionals = new Set([
  "preproc_if",
  "preproc_ifdef",
  "preproc_elif",
  "preproc_elifdef",
  "preproc_else",
]);

/** A node that is a statement in a statement list (comments and punctuation are not). */
export function isStatementNode(node: SyntaxNode): boolean {
  return node.isNamed && node.type !== "comment";
}

/**
 * Computes the facts of every statement of one function, memoized per node.
 * `rejectedOpens` holds the start offsets of open calls already found to leak
 * their fd: those count as results used.
 */
export class StatementClassifier {
  private readonly memo = new Map<number, StatementFacts>();

  constructor(
    private readonly names: NameResolver,
    private readonly rejectedOpens: ReadonlySet<number>,
  ) {}

  facts(node: SyntaxNode): StatementFacts {
    const known = this.memo.get(node.id);
    if (known) return known;
    const facts = this.classify(node);
    this.memo.set(node.id, facts);
    return facts;
  }

  /** The statements of a `{ ... }` block; any other statement is a list of its own, with no room to insert lines. */
  static listOf(node: SyntaxNode): StatementList {
    if (node.type === "compound_statement") {
      return { statements: node.namedChildren.filter(isStatementNode), placeable: true };
    }
    return { statements: [node], placeable: false };
  }

  private classify(node: SyntaxNode): StatementFacts {
    const b = new FactsBuilder();
    let isBatchStart = false;
    switch (node.type) {
      case "expression_statement": {
        const expr = node.namedChildren.find(isStatementNode);
        if (expr) {
          if (!this.openAssignment(expr, b)) this.expression(expr, b, discardedContext);
          isBatchStart =
            expr.type === "call_expression" &&
            expr.childForFieldName("function")?.text === batchStartName &&
            b.batchStartCalls === 1;
        }
        break;
      }
      case "declaration":
        this.declaration(node, b, true);
        break;
      case "compound_statement": {
        const list = StatementClassifier.listOf(node);
        this.sequence(list.statements, b);
        b.nested.push(list);
        break;
      }
      case "if_statement": {
        const condition = node.childForFieldName("condition");
        if (condition) this.expression(condition, b, valueContext);
        const consequence = node.childForFieldName("consequence");
        const alternative = node
          .childForFieldName("alternative")
          ?.namedChildren.find(isStatementNode);
        for (const body of [consequence, alternative]) {
          if (!body) continue;
          b.absorb(this.facts(body));
          b.nested.push(StatementClassifier.listOf(body));
        }
        break;
      }
      case "for_statement":
      case "while_statement":
      case "do_statement":
        this.loop(node, b);
        break;
      case "switch_statement":
        this.switchStatement(node, b);
        break;
      case "labeled_statement":
      case "case_statement": {
        b.fail("label");
        const value = node.childForFieldName("value");
        if (value) this.expression(value, b, valueContext);
        for (const inner of node.namedChildren) {
          if (!isStatementNode(inner) || inner.type === "statement_identifier" || inner === value) {
            continue;
          }
          b.absorb(this.facts(inner));
          b.nested.push(StatementClassifier.listOf(inner));
        }
        break;
      }
      case "attributed_statement": {
        for (const inner of node.namedChildren) {
          if (inner.type === "attribute_declaration" || !isStatementNode(inner)) continue;
          b.absorb(this.facts(inner));
          b.nested.push(StatementClassifier.listOf(inner));
        }
        break;
      }
      case "return_statement": {
        for (const e of node.namedChildren)
          if (isStatementNode(e)) this.expression(e, b, valueContext);
        b.fail("jump");
        break;
      }
      case "goto_statement":
        b.fail("jump");
        break;
      case "break_statement":
        b.escapesBreak = true;
        break;
      case "continue_statement":
        b.escapesContinue = true;
        break;
      case "type_definition":
      case "struct_specifier":
      case "union_specifier":
      case "enum_specifier":
        break;
      case "ERROR":
        b.fail("parse-error");
        this.expression(node, b, valueContext);
        break;
      default:
        if (preprocessorConditionals.has(node.type)) {
          this.preprocessorConditional(node, b);
        } else if (node.type.startsWith("preproc_")) {
          b.fail("preprocessor");
        } else {
          // A statement form the analysis does not model (a nested function,
          // often an iterator macro tree-sitter read as one): batch nothing in it.
          b.fail("unsupported-syntax");
          this.collectCalls(node, b);
        }
    }
    return b.build(node, isBatchStart);
  }

  /** Statements in order; a statement using a buffer an earlier deferred read fills is a hazard. */
  private sequence(statements: readonly SyntaxNode[], b: FactsBuilder): void {
    const pending = new Set<string>();
    for (const statement of statements) {
      const f = this.facts(statement);
      if (intersects(f.mentions, pending)) b.fail("read-buffer-used");
      for (const buffer of f.readBuffers) pending.add(buffer);
      b.absorb(f);
    }
  }

  private loop(node: SyntaxNode, b: FactsBuilder): void {
    const inner = new FactsBuilder();
    const initializer = node.childForFieldName("initializer");
    if (initializer) {
      if (initializer.type === "declaration") this.declaration(initializer, inner, false);
      else this.expression(initializer, inner, discardedContext);
    }
    const condition = node.childForFieldName("condition");
    if (condition) this.expression(condition, inner, valueContext);
    const update = node.childForFieldName("update");
    if (update) this.expression(update, inner, discardedContext);
    const body = node.childForFieldName("body");
    if (body) {
      inner.absorb(this.facts(body));
      b.nested.push(StatementClassifier.listOf(body));
    }
    // The next iteration runs before the flush: a buffer a read fills must not
    // be touched anywhere in the loop.
    if (intersects(inner.mentions, inner.readBuffers)) inner.fail("read-buffer-used");
    b.takeScope(inner);
    b.loopSite = inner.sites.length > 0;
    // break/continue inside belong to this loop.
  }

  private switchStatement(node: SyntaxNode, b: FactsBuilder): void {
    const condition = node.childForFieldName("condition");
    if (condition) this.expression(condition, b, valueContext);
    const body = node.childForFieldName("body");
    if (!body) return;
    const inner = new FactsBuilder();
    const flat: SyntaxNode[] = [];
    let loose: SyntaxNode[] = [];
    for (const child of body.namedChildren) {
      if (!isStatementNode(child)) continue;
      if (child.type === "case_statement") {
        if (loose.length) b.nested.push({ statements: loose, placeable: true });
        loose = [];
        const value = child.childForFieldName("value");
        if (value) this.expression(value, inner, valueContext);
        const statements = child.namedChildren.filter((s) => isStatementNode(s) && s !== value);
        flat.push(...statements);
        b.nested.push({ statements, placeable: true });
      } else {
        flat.push(child);
        loose.push(child);
      }
    }
    if (loose.length) b.nested.push({ statements: loose, placeable: true });
    // Cases fall through into each other: check them as one sequence.
    this.sequence(flat, inner);
    b.takeScope(inner);
    b.loopSite ||= inner.loopSite;
    b.escapesContinue ||= inner.escapesContinue;
  }

  private preprocessorConditional(node: SyntaxNode, b: FactsBuilder): void {
    b.fail("preprocessor");
    const skip = new Set(
      ["name", "condition", "alternative"].map((f) => node.childForFieldName(f)?.id),
    );
    const statements = node.namedChildren.filter((c) => isStatementNode(c) && !skip.has(c.id));
    for (const s of statements) b.absorb(this.facts(s));
    if (statements.length) b.nested.push({ statements, placeable: true });
    const alternative = node.childForFieldName("alternative");
    if (alternative) {
      b.absorb(this.facts(alternative));
      b.nested.push(...this.facts(alternative).nested);
    }
  }

  private declaration(node: SyntaxNode, b: FactsBuilder, allowOpen: boolean): void {
    const declarators = node.childrenForFieldName("declarator");
    for (const declarator of declarators) {
      if (declarator.type !== "init_declarator") {
        this.declarator(declarator, b);
        continue;
      }
      const name = declarator.childForFieldName("declarator");
      const value = declarator.childForFieldName("value");
      if (name) this.declarator(name, b);
      if (!value) continue;
      if (
        allowOpen &&
        declarators.length === 1 &&
        name?.type === "identifier" &&
        this.openCandidate(value, name, b)
      ) {
        continue;
      }
      this.expression(value, b, valueContext);
    }
  }

  /** Array sizes in a declarator are expressions; the declared name is not a use. */
  private declarator(node: SyntaxNode, b: FactsBuilder): void {
    if (node.type === "identifier") return;
    for (const child of node.namedChildren) {
      if (child.type === "identifier" && node.type !== "array_declarator") continue;
      if (node.type === "array_declarator" && child === node.childForFieldName("declarator")) {
        this.declarator(child, b);
        continue;
      }
      if (child.type.endsWith("declarator")) this.declarator(child, b);
      else this.expression(child, b, valueContext);
    }
  }

  /** `fd = open(...);` as a whole statement. */
  private openAssignment(expr: SyntaxNode, b: FactsBuilder): boolean {
    if (expr.type !== "assignment_expression") return false;
    const left = expr.childForFieldName("left");
    const right = expr.childForFieldName("right");
    if (left?.type !== "identifier" || !right) return false;
    // The operator token is not kept in the copied tree; it is the text between.
    if (
      expr.text
        .slice(left.endIndex - expr.startIndex, right.startIndex - expr.startIndex)
        .trim() !== "="
    ) {
      return false;
    }
    return this.openCandidate(right, left, b);
  }

  private openCandidate(value: SyntaxNode, target: SyntaxNode, b: FactsBuilder): boolean {
    if (value.type !== "call_expression" || this.rejectedOpens.has(value.startIndex)) return false;
    const fn = value.childForFieldName("function");
    if (fn?.type !== "identifier") return false;
    const callee = this.names.resolve(fn.text);
    if (callee.kind !== "syscall" || callee.spec.result !== "fd") return false;
    const site = this.call(value, b, discardedContext);
    if (site) b.opens.push({ site, variable: target.text, target });
    return site !== null;
  }

  private expression(node: SyntaxNode, b: FactsBuilder, ctx: ExpressionContext): void {
    const type = node.type;
    if (ignoredExpressionTypes.has(type)) return;
    switch (type) {
      case "identifier": {
        const name = node.text;
        if (name === "errno") b.fail("errno-used");
        else if (this.names.isShared(name)) b.fail("shared-variable");
        if (!ctx.addressOnly) b.mentions.add(name);
        return;
      }
      case "call_expression":
        this.call(node, b, ctx);
        return;
      case "cast_expression": {
        const isVoid = node.childForFieldName("type")?.text.replace(/\s+/g, "") === "void";
        const value = node.childForFieldName("value");
        if (value)
          this.expression(
            value,
            b,
            isVoid ? { ...ctx, discarded: true } : { ...ctx, discarded: false },
          );
        return;
      }
      case "parenthesized_expression":
        for (const c of node.namedChildren) this.expression(c, b, ctx);
        return;
      case "comma_expression": {
        const left = node.childForFieldName("left");
        const right = node.childForFieldName("right");
        if (left) this.expression(left, b, { ...ctx, discarded: true });
        if (right) this.expression(right, b, ctx);
        return;
      }
      case "conditional_expression": {
        const condition = node.childForFieldName("condition");
        if (condition) this.expression(condition, b, { ...ctx, discarded: false });
        for (const f of ["consequence", "alternative"]) {
          const branch = node.childForFieldName(f);
          if (branch) this.expression(branch, b, ctx);
        }
        return;
      }
      case "gnu_asm_expression":
        b.fail("inline-asm");
        return;
      case "compound_statement":
        // GNU statement expression ({ ... }).
        b.fail("unsupported-syntax");
        this.collectCalls(node, b);
        return;
      case "ERROR":
        b.fail("parse-error");
        break;
    }
    const inner: ExpressionContext = { ...ctx, discarded: false };
    for (const c of node.namedChildren) this.expression(c, b, inner);
  }

  /** Records the call; returns the site when it is a catalogue call. */
  private call(node: SyntaxNode, b: FactsBuilder, ctx: ExpressionContext): CallSite | null {
    const fn = node.childForFieldName("function");
    const args = node.childForFieldName("arguments")?.namedChildren.filter(isStatementNode) ?? [];
    const argContext: ExpressionContext = { discarded: false, addressOnly: ctx.addressOnly };
    if (fn?.type !== "identifier") {
      b.fail("unknown-call");
      if (fn) this.expression(fn, b, argContext);
      for (const a of args) this.expression(a, b, argContext);
      return null;
    }
    const name = fn.text;
    const callee = this.names.resolve(name);
    if (callee.kind === "syscall") {
      const reason: ReasonId | null = ctx.discarded ? null : "result-used";
      const site: CallSite = { node, name, spec: callee.spec, reason };
      if (reason) b.fail(reason);
      b.sites.push(site);
      b.directSites.push(site);
      args.forEach((arg, i) => {
        if (callee.spec.args[i]?.kind === "outbuf") {
          const buffers = bufferIdentifiers(arg);
          if (buffers) for (const name of buffers) b.readBuffers.add(name);
          else b.fail("unsupported-syntax");
          this.expression(arg, b, { discarded: false, addressOnly: true });
        } else {
          this.expression(arg, b, argContext);
        }
      });
      return site;
    }
    if (callee.kind === "not-libc") {
      const site: CallSite = { node, name, spec: callee.spec, reason: "not-libc" };
      b.sites.push(site);
      b.directSites.push(site);
      b.fail("unknown-call");
    } else if (callee.kind === "batch") {
      if (name === batchFlushName) b.batchFlushCalls++;
      else b.batchStartCalls++;
      b.fail("manual-batch");
    } else if (callee.kind !== "pure") {
      b.fail(callee.kind);
    }
    for (const a of args) this.expression(a, b, argContext);
    return null;
  }

  /** Only the catalogue calls of an unmodelled construct, for their verdicts. */
  private collectCalls(node: SyntaxNode, b: FactsBuilder): void {
    const probe = new FactsBuilder();
    for (const child of node.namedChildren) this.expression(child, probe, valueContext);
    for (const site of probe.sites) {
      const reason = site.reason === "not-libc" ? "not-libc" : "unsupported-syntax";
      const blocked: CallSite = { ...site, reason };
      b.sites.push(blocked);
      b.directSites.push(blocked);
    }
  }
}

function intersects(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size === 0 || b.size === 0) return false;
  const [small, large] = a.size < b.size ? [a, b] : [b, a];
  for (const x of small) if (large.has(x)) return true;
  return false;
}

/**
 * The variables a buffer expression points into: buf, &buf[i], buf + n, s.data,
 * p->data. Both operands of pointer arithmetic count (either may be the
 * pointer). Null when the expression is not one of these forms.
 */
export function bufferIdentifiers(node: SyntaxNode): string[] | null {
  switch (node.type) {
    case "identifier":
      return [node.text];
    case "number_literal":
    case "null":
      return [];
    case "parenthesized_expression":
    case "pointer_expression": {
      const inner = node.namedChildren.find(isStatementNode);
      return inner ? bufferIdentifiers(inner) : null;
    }
    case "cast_expression":
    case "subscript_expression":
    case "field_expression": {
      const inner = node.childForFieldName(node.type === "cast_expression" ? "value" : "argument");
      return inner ? bufferIdentifiers(inner) : null;
    }
    case "binary_expression": {
      const left = node.childForFieldName("left");
      const right = node.childForFieldName("right");
      const l = left ? bufferIdentifiers(left) : null;
      const r = right ? bufferIdentifiers(right) : null;
      return l && r ? [...l, ...r] : null;
    }
    default:
      return null;
  }
}
