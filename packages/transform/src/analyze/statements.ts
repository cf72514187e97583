// Classifies statements into their facts (facts.ts): control flow, declarations,
// loops, switches and preprocessor conditionals here; expressions in
// expressions.ts. Memoized per node, once per statement.
import { batchStartName } from "../known-functions.ts";
import { operatorText, type CNode as SyntaxNode } from "../syntax-tree.ts";
import { checkedCall, type AssignedCheck } from "./checked.ts";
import { ExpressionScanner, discardedContext, valueContext } from "./expressions.ts";
import {
  FactsBuilder,
  intersects,
  isStatementNode,
  type CallSite,
  type NameResolver,
  type StatementFacts,
  type StatementList,
} from "./facts.ts";

const preprocessorConditionals = new Set([
  "preproc_if",
  "preproc_ifdef",
  "preproc_elif",
  "preproc_elifdef",
  "preproc_else",
]);

/**
 * Computes the facts of every statement of one function, memoized per node.
 * `rejectedOpens` holds the start offsets of open calls already found to leak
 * their fd: those count as results used.
 */
export class StatementClassifier {
  private readonly memo = new Map<number, StatementFacts>();

  private readonly scan: ExpressionScanner;

  /**
   * @param returnsStay a `return` ends the function, not a run around it:
   *   set when a body is read as a whole for its summary (summaries.ts),
   *   where leaving early is only a shorter call
   */
  constructor(
    readonly names: NameResolver,
    private readonly rejectedOpens: ReadonlySet<number>,
    aliases: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
    private readonly returnsStay = false,
  ) {
    this.scan = new ExpressionScanner(names, aliases);
  }

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

  /**
   * A `{ ... }` whose braces are both in the text: a block in every reading
   * of the code around it, even when tree-sitter could not read all of it.
   */
  static soundBlock(node: SyntaxNode): boolean {
    if (node.type !== "compound_statement") return false;
    if (!node.hasError) return true;
    const first = node.children[0];
    const last = node.children.at(-1);
    return first?.type === "{" && last?.type === "}" && !first.isMissing && !last.isMissing;
  }

  /**
   * A statement holding a syntax error (a macro tree-sitter cannot read, an
   * #ifdef inside an expression): it cannot be part of a run and its calls
   * get parse-error, but the blocks it holds whose braces are sound are
   * searched for runs of their own; the rest of the list goes on.
   */
  private broken(node: SyntaxNode): StatementFacts {
    const b = new FactsBuilder();
    b.fail("parse-error");
    const blocks = new Set(node.namedChildren.filter((c) => StatementClassifier.soundBlock(c)));
    this.scan.collectCalls(node, b, "parse-error", blocks);
    for (const block of blocks) {
      const inner = this.facts(block);
      b.sites.push(...inner.sites);
      b.nested.push(StatementClassifier.listOf(block));
    }
    return b.build(node, false);
  }

  private classify(node: SyntaxNode): StatementFacts {
    if (node.hasError && !StatementClassifier.soundBlock(node)) return this.broken(node);
    const b = new FactsBuilder();
    if (this.names.crossesConditional(node.startIndex, node.endIndex)) b.fail("preprocessor");
    let isBatchStart = false;
    switch (node.type) {
      case "expression_statement": {
        const expr = node.namedChildren.find(isStatementNode);
        if (expr) {
          if (!this.openAssignment(expr, b)) this.scan.expression(expr, b, discardedContext);
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
        if (this.checkedIf(node, b)) break;
        const condition = node.childForFieldName("condition");
        if (condition) this.scan.expression(condition, b, valueContext);
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
        if (value) this.scan.expression(value, b, valueContext);
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
          if (isStatementNode(e)) this.scan.expression(e, b, valueContext);
        if (!this.returnsStay) b.fail("jump");
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
        this.scan.expression(node, b, valueContext);
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
          this.scan.collectCalls(node, b);
        }
    }
    return b.build(node, isBatchStart);
  }

  /**
   * `if (CALL != n) goto fail;` and the like (checked.ts): the call may be
   * deferred; what the condition compares it with is read at the check, and
   * the failure branch, which runs after the flush when the check failed,
   * counts only for what it reads.
   */
  private checkedIf(node: SyntaxNode, b: FactsBuilder): boolean {
    const checked = checkedCall(node, this.names);
    if (!checked) return false;
    // Each call of the check in turn. What is compared, and the calls after
    // it in an `||` chain, must not read a buffer a deferred read of the
    // check fills: while recording they would see it unfilled.
    const filled = new Set<string>();
    const parts: FactsBuilder[] = [];
    let site: CallSite | null = null;
    for (const link of [checked, ...checked.also]) {
      const call = new FactsBuilder();
      const found = this.scan.call(link.call, call, discardedContext);
      if (!found) return false;
      site ??= found;
      const compared = new FactsBuilder();
      if (link.compared) this.scan.expression(link.compared, compared, valueContext);
      if (intersects(call.mentions, filled)) return false;
      for (const r of call.readBuffers) filled.add(r);
      if (intersects(compared.mentions, filled)) return false;
      parts.push(call, compared);
    }
    if (!site) return false;
    for (const part of parts) b.takeScope(part);
    if (checked.failure) for (const m of this.facts(checked.failure).mentions) b.mentions.add(m);
    b.check = { ...checked, site };
    return true;
  }

  /**
   * The facts of `ret = CALL(...);` checked by the `if` after it
   * (checked.ts): the call may be deferred; the variable is written.
   */
  assignedFacts(node: SyntaxNode, check: AssignedCheck): StatementFacts {
    const b = new FactsBuilder();
    const site = this.scan.call(check.call, b, discardedContext);
    if (!site) return this.facts(node);
    if (node.type === "declaration") {
      const type = node.childForFieldName("type");
      if (type) this.scan.expression(type, b, valueContext);
    }
    b.mentions.add(check.variable);
    b.check = { ...check, site };
    const facts = b.build(node, false);
    this.memo.set(node.id, facts);
    return facts;
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
      else this.scan.expression(initializer, inner, discardedContext);
    }
    const condition = node.childForFieldName("condition");
    if (condition) this.scan.expression(condition, inner, valueContext);
    const update = node.childForFieldName("update");
    if (update) this.scan.expression(update, inner, discardedContext);
    const body = node.childForFieldName("body");
    if (body) {
      inner.absorb(this.facts(body));
      b.nested.push(StatementClassifier.listOf(body));
    }
    // The next iteration runs before the flush: a buffer a read fills must not
    // be touched anywhere in the loop.
    if (intersects(inner.mentions, inner.readBuffers)) inner.fail("read-buffer-used");
    b.takeScope(inner);
    b.loopSite = inner.sites.length > 0 || inner.helperCalls.length > 0;
    // break/continue inside belong to this loop.
  }

  private switchStatement(node: SyntaxNode, b: FactsBuilder): void {
    const condition = node.childForFieldName("condition");
    if (condition) this.scan.expression(condition, b, valueContext);
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
        if (value) this.scan.expression(value, inner, valueContext);
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
      this.scan.expression(value, b, valueContext);
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
      else this.scan.expression(child, b, valueContext);
    }
  }

  /** `fd = open(...);` as a whole statement. */
  private openAssignment(expr: SyntaxNode, b: FactsBuilder): boolean {
    if (expr.type !== "assignment_expression") return false;
    const left = expr.childForFieldName("left");
    const right = expr.childForFieldName("right");
    if (left?.type !== "identifier" || !right || operatorText(expr) !== "=") return false;
    return this.openCandidate(right, left, b);
  }

  private openCandidate(value: SyntaxNode, target: SyntaxNode, b: FactsBuilder): boolean {
    if (value.type !== "call_expression" || this.rejectedOpens.has(value.startIndex)) return false;
    const fn = value.childForFieldName("function");
    if (fn?.type !== "identifier") return false;
    const callee = this.names.resolve(fn.text);
    if (callee.kind !== "syscall" || callee.spec.result !== "fd") return false;
    const site = this.scan.call(value, b, discardedContext);
    if (site) b.opens.push({ site, variable: target.text, target });
    return site !== null;
  }
}
