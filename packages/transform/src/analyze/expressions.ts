// Walks expressions: records catalogue call sites (a call whose value is used
// cannot be deferred), hazards (unknown calls, errno, shared variables, inline
// asm) and the identifiers an expression reads or the buffers a deferred read
// fills.
import type { ReasonId } from "../reasons.ts";
import {
  batchCheckedName,
  batchFlushCheckedName,
  batchFlushName,
  batchOpenUnseenName,
} from "../known-functions.ts";
import type { CNode as SyntaxNode } from "../syntax-tree.ts";
import {
  FactsBuilder as FactsBuilderClass,
  isStatementNode,
  type CallSite,
  type FactsBuilder,
  type NameResolver,
} from "./facts.ts";

export interface ExpressionContext {
  /** The expression's value is thrown away (statement, (void) cast, comma's left). */
  readonly discarded: boolean;
  /** Identifiers here are an address computed now, not memory read (a read's buffer). */
  readonly addressOnly: boolean;
}

export const valueContext: ExpressionContext = { discarded: false, addressOnly: false };
export const discardedContext: ExpressionContext = { discarded: true, addressOnly: false };

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

const formatFunctions = new Set(["snprintf", "sprintf", "vsnprintf", "vsprintf", "asprintf"]);

/** A printf-style call whose literal format holds %m (glibc: strerror(errno)). */
function formatsErrno(name: string, args: readonly SyntaxNode[]): boolean {
  if (!formatFunctions.has(name)) return false;
  return args.some(
    (a) =>
      (a.type === "string_literal" || a.type === "concatenated_string") &&
      /%[-+ #0-9.*]*m/.test(a.text.replace(/%%/g, "")),
  );
}

/** The expression walker of one function; shared by every statement of it. */
export class ExpressionScanner {
  constructor(
    private readonly names: NameResolver,
    /** Pointers that may share memory (aliases.ts): a read fills them all. */
    private readonly aliases: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
  ) {}

  /** A read of the variable @name (or a name a macro reads). */
  private reads(name: string, b: FactsBuilder, ctx: ExpressionContext): void {
    if (name === "errno") b.fail("errno-used");
    else if (this.names.isShared(name)) b.fail("shared-variable");
    if (!ctx.addressOnly) b.mentions.add(name);
  }

  /** Records the expression's sites, hazards and mentions into b. */
  expression(node: SyntaxNode, b: FactsBuilder, ctx: ExpressionContext): void {
    const type = node.type;
    if (ignoredExpressionTypes.has(type)) return;
    switch (type) {
      case "identifier": {
        const name = node.text;
        this.reads(name, b, ctx);
        // A macro of the file reads what its expansion names.
        for (const read of this.names.macroReads(name) ?? []) this.reads(read, b, ctx);
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
      case "field_expression": {
        // s.flag or p->flag where the member is declared volatile/atomic.
        const field = node.childForFieldName("field");
        if (field && this.names.isShared(field.text)) b.fail("shared-variable");
        break;
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
  call(node: SyntaxNode, b: FactsBuilder, ctx: ExpressionContext): CallSite | null {
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
          if (buffers) {
            for (const name of buffers) {
              b.readBuffers.add(name);
              for (const alias of this.aliases.get(name) ?? []) b.readBuffers.add(alias);
            }
          } else b.fail("unsupported-syntax");
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
      // batch_checked() and batch_open_unseen() wrap a call inside a run:
      // neither opens nor closes one.
      if (name === batchFlushName || name === batchFlushCheckedName) b.batchFlushCalls++;
      else if (name !== batchCheckedName && name !== batchOpenUnseenName) b.batchStartCalls++;
      b.fail("manual-batch");
    } else if (callee.kind === "helper") {
      // Its body could be part of a run as it stands: a call whose result
      // is thrown away joins one, reading what the body reads. Only after
      // the definition, so that the verdict is the same whichever pieces
      // the file is read in (chunks.ts): a later piece's helpers are unknown.
      if (ctx.discarded && callee.summary.definedAt < node.startIndex) {
        b.helperCalls.push({ node, summary: callee.summary });
        for (const m of callee.summary.mentions) b.mentions.add(m);
      } else b.fail("unknown-call");
    } else if (callee.kind === "pure-macro") {
      // An expression: it reads what its body captures (and its arguments).
      // Before the #define, the name is a function's.
      if (callee.macro.definedAt < node.startIndex) {
        for (const read of this.names.macroReads(name) ?? []) this.reads(read, b, valueContext);
      } else b.fail("macro-call");
    } else if (callee.kind !== "pure") {
      b.fail(callee.kind);
    } else if (formatsErrno(name, args)) {
      // "%m" prints strerror(errno): it reads errno, which a deferred call
      // before it has not set yet.
      b.fail("errno-used");
    }
    for (const a of args) this.expression(a, b, argContext);
    return null;
  }

  /**
   * Only the catalogue calls of an unmodelled construct (or, with @why
   * "parse-error", of a statement tree-sitter could not read), for their
   * verdicts; children in @skip are left out (their own lists report them).
   */
  collectCalls(
    node: SyntaxNode,
    b: FactsBuilder,
    why: "unsupported-syntax" | "parse-error" = "unsupported-syntax",
    skip: ReadonlySet<SyntaxNode> = new Set(),
  ): void {
    const probe = new FactsBuilderClass();
    for (const child of node.namedChildren) {
      if (!skip.has(child)) this.expression(child, probe, valueContext);
    }
    for (const site of probe.sites) {
      const reason = site.reason === "not-libc" ? "not-libc" : why;
      const blocked: CallSite = { ...site, reason };
      b.sites.push(blocked);
      b.directSites.push(blocked);
    }
  }
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
