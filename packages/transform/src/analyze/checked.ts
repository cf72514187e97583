// Checked results: `if (CALL != n) goto fail;`, `if (CALL < 0) err(1, ...);`.
// The call may still be deferred when its result is only compared with what
// a successful call returns and the failure branch leaves the run (or the
// check is the last statement of the run, where its branch can run after
// the flush just as it would have run in place): the
// recorded call reports success (the check passes while recording), its batch
// entry stops the batch when the real call fails, and the flush says which
// check failed so that its failure branch runs then (plan.ts copies it after
// the run). Everything here is syntax: which comparisons mean "failed", which
// failure branches certainly leave.
import type { SyscallSpec } from "@dbatch/catalogue";
import { operatorText, type CNode as SyntaxNode } from "../syntax-tree.ts";
import type { NameResolver } from "./facts.ts";

/** What makes a call fail its check (DBATCH_CHECK_* in <dbatch.h>). */
export type CheckKind = "error" | "count";

/**
 * An `if` that checks one catalogue call (its failure branch leaving the
 * run, or not: then the call must end the run), or a call whose result is
 * assigned to a variable, which ends the run.
 */
export interface CheckedCall extends CheckedLink {
  /**
   * The other calls of an `||` chain (`if (write(fd, b, n) != n || close(fd)
   * < 0) goto fail;`), in order: each checked like the first, sharing its
   * branch. A failed call stops the batch, so the ones after it do not run,
   * as the chain's short circuit has it.
   */
  readonly also: readonly CheckedLink[];
  /** The statement the original runs when the check fails (null: an assignment). */
  readonly failure: SyntaxNode | null;
  /**
   * The failure branch certainly leaves the statement list (goto, return,
   * a noreturn call...): calls may follow the check in its run. Otherwise
   * the check ends its run, and the branch copied after the flush runs
   * where the original would have run it.
   */
  readonly leaves: boolean;
}

/** One call of a check and what makes it fail. */
export interface CheckedLink {
  /** The call expression (inside casts and parentheses). */
  readonly call: SyntaxNode;
  readonly kind: CheckKind;
  /** "count": the count argument's text (what a full transfer returns). */
  readonly expected: string;
  /** What the call is compared with (its identifiers are read at the check). */
  readonly compared: SyntaxNode | null;
}

/**
 * A complete call returns its third argument (the catalogue's deferred
 * return "length" of argument 2: write, read, pwrite, pread, send); the
 * library and the kernel module's DBATCH_ENTRY_SHORT read the same field.
 */
function returnsCount(spec: SyscallSpec): boolean {
  return spec.deferredReturn === "length" && spec.deferredReturnArg === 2;
}

// Compiler builtins that never return; libc's (exit, abort, err, ...) and a
// project's are the name resolver's (known-functions.ts, noreturn.ts).
const noreturnBuiltins = new Set(["__builtin_trap", "__builtin_unreachable"]);

/** Strips parentheses (and with @casts, casts) around an expression. */
function unwrap(node: SyntaxNode, casts: boolean): SyntaxNode {
  let n = node;
  for (;;) {
    if (n.type === "parenthesized_expression" && n.namedChildren.length === 1) {
      n = n.namedChildren[0] as SyntaxNode;
    } else if (casts && n.type === "cast_expression") {
      const value = n.childForFieldName("value");
      if (!value) return n;
      n = value;
    } else {
      return n;
    }
  }
}

/**
 * An expression without side effects (no assignment, increment or call,
 * nor a macro of the file that expands to one).
 */
export function isPure(node: SyntaxNode, names: Pick<NameResolver, "isImpureMacro">): boolean {
  switch (node.type) {
    case "identifier":
      return !names.isImpureMacro(node.text);
    case "number_literal":
    case "sizeof_expression":
    case "char_literal":
    case "string_literal":
    case "concatenated_string":
    case "true":
    case "false":
    case "null":
      return true;
    case "parenthesized_expression":
    case "cast_expression":
    case "field_expression":
    case "subscript_expression":
    case "pointer_expression":
      return node.namedChildren.every(
        (c) => c.type === "type_descriptor" || c.type === "field_identifier" || isPure(c, names),
      );
    case "unary_expression":
    case "binary_expression":
      return (
        !/\+\+|--|=/.test(operatorText(node)) && node.namedChildren.every((c) => isPure(c, names))
      );
    default:
      return false;
  }
}

function isLiteral(node: SyntaxNode, value: number): boolean {
  const n = unwrap(node, true);
  if (n.type === "number_literal") return Number(n.text) === value;
  if (value < 0 && n.type === "unary_expression" && operatorText(n) === "-") {
    const arg = n.childForFieldName("argument");
    return arg !== null && isLiteral(arg, -value);
  }
  return false;
}

/** The catalogue call @node is (inside parentheses, and casts when @casts), or null. */
function catalogueCall(
  node: SyntaxNode,
  names: NameResolver,
  casts: boolean,
): { call: SyntaxNode; spec: SyscallSpec } | null {
  const call = unwrap(node, casts);
  if (call.type !== "call_expression") return null;
  const fn = call.childForFieldName("function");
  if (fn?.type !== "identifier") return null;
  const callee = names.resolve(fn.text);
  if (callee.kind !== "syscall") return null;
  return { call, spec: callee.spec };
}

// Integer types at least 32 bits wide: a recorded call's count (the library
// records only small transfers) survives a cast to any of them.
const wideTypes = new Set([
  "int",
  "unsigned",
  "unsignedint",
  "signed",
  "signedint",
  "long",
  "longint",
  "unsignedlong",
  "unsignedlongint",
  "longlong",
  "unsignedlonglong",
  "size_t",
  "ssize_t",
  "off_t",
  "ptrdiff_t",
  "intmax_t",
  "uintmax_t",
  "int32_t",
  "uint32_t",
  "int64_t",
  "uint64_t",
]);

/** Every cast around the expression (inside parentheses) is to a wide integer type. */
function wideCastsOnly(node: SyntaxNode): boolean {
  let n = node;
  for (;;) {
    if (n.type === "parenthesized_expression" && n.namedChildren.length === 1) {
      n = n.namedChildren[0] as SyntaxNode;
    } else if (n.type === "cast_expression") {
      const type = n.childForFieldName("type")?.text.replace(/\s+/g, "") ?? "";
      if (!wideTypes.has(type)) return false;
      const value = n.childForFieldName("value");
      if (!value) return false;
      n = value;
    } else {
      return true;
    }
  }
}

/** Text of an expression with casts and parentheses taken off, for comparing two. */
function bareText(node: SyntaxNode): string {
  return unwrap(node, true).text.replace(/\s+/g, "");
}

/** What the condition says about a call: which check it is, or null. */
function checkOf(
  condition: SyntaxNode,
  names: NameResolver,
  match: (node: SyntaxNode, casts: boolean) => { call: SyntaxNode; spec: SyscallSpec } | null = (
    node,
    casts,
  ) => catalogueCall(node, names, casts),
): { call: SyntaxNode; kind: CheckKind; expected: string; compared: SyntaxNode | null } | null {
  const c = unwrap(condition, false);
  const status = (node: SyntaxNode) => {
    const found = match(node, false);
    return found && found.spec.result === "status" ? found : null;
  };
  // if (close(fd)): non-zero is failure for a call that returns 0 or -1.
  const bare = status(c);
  if (bare) return { call: bare.call, kind: "error", expected: "0", compared: null };
  if (c.type !== "binary_expression") return null;
  const left = c.childForFieldName("left");
  const right = c.childForFieldName("right");
  if (!left || !right) return null;
  const op = operatorText(c);
  for (const [callSide, other, mirrored] of [
    [left, right, false],
    [right, left, true],
  ] as const) {
    const found = match(callSide, false);
    if (found && found.spec.result !== "fd" && found.spec.result !== "offset") {
      // CALL < 0, CALL == -1 (and mirrored): a negative result is failure.
      const lessThanZero = mirrored ? op === ">" : op === "<";
      if ((lessThanZero && isLiteral(other, 0)) || (op === "==" && isLiteral(other, -1))) {
        return { call: found.call, kind: "error", expected: "0", compared: other };
      }
      // CALL != 0 for a call that returns 0 on success.
      if (op === "!=" && isLiteral(other, 0) && found.spec.result === "status") {
        return { call: found.call, kind: "error", expected: "0", compared: other };
      }
    }
    // CALL != n (casts allowed on either side): anything but the whole count
    // is failure. Only casts that keep a recorded call's count whole: while
    // recording the call returns it, and `(char)write(fd, b, 300) != 300`
    // would take the failure branch then.
    const counted = match(callSide, true);
    if (
      counted &&
      op === "!=" &&
      returnsCount(counted.spec) &&
      isPure(other, names) &&
      wideCastsOnly(callSide) &&
      wideCastsOnly(other)
    ) {
      const args = counted.call.childForFieldName("arguments")?.namedChildren ?? [];
      const count = args.filter((a) => a.type !== "comment")[2];
      if (count && isPure(count, names) && bareText(count) === bareText(other)) {
        return {
          call: counted.call,
          kind: "count",
          expected: unwrap(count, false).text,
          compared: other,
        };
      }
    }
  }
  return null;
}

/** Whether running @statement certainly leaves the statement list it is in. */
function leaves(statement: SyntaxNode, names: NameResolver): boolean {
  switch (statement.type) {
    case "goto_statement":
    case "return_statement":
    case "break_statement":
    case "continue_statement":
      return true;
    case "expression_statement": {
      const expr = statement.namedChildren[0];
      if (expr?.type !== "call_expression") return false;
      const fn = expr.childForFieldName("function");
      return (
        fn?.type === "identifier" && (noreturnBuiltins.has(fn.text) || names.isNoreturn(fn.text))
      );
    }
    case "compound_statement": {
      const inner = statement.namedChildren.filter((c) => c.type !== "comment");
      const last = inner.at(-1);
      return last !== undefined && leaves(last, names);
    }
    default:
      return false;
  }
}

/** Labels, cases or batch calls in the failure branch: copying it would break them. */
function copyable(statement: SyntaxNode, names: NameResolver): boolean {
  const stack = [statement];
  while (stack.length) {
    const n = stack.pop() as SyntaxNode;
    if (n.type === "labeled_statement" || n.type === "case_statement" || n.type === "ERROR") {
      return false;
    }
    if (n.type.startsWith("preproc_")) return false;
    if (
      n.type === "identifier" &&
      (n.text.startsWith("dbatch_") || names.resolve(n.text).kind === "batch")
    ) {
      return false;
    }
    stack.push(...n.namedChildren);
  }
  return true;
}

/** An `if` without `else` whose branch can be copied: its parts, and whether the branch leaves. */
function checkingIf(
  node: SyntaxNode,
  names: NameResolver,
): { condition: SyntaxNode; failure: SyntaxNode; leaves: boolean } | null {
  if (node.type !== "if_statement" || node.childForFieldName("alternative")) return null;
  const condition = node.childForFieldName("condition");
  const failure = node.childForFieldName("consequence");
  if (!condition || !failure || !copyable(failure, names)) return null;
  return { condition, failure, leaves: leaves(failure, names) };
}

/**
 * `ret = write(fd, b, n);` (or `ssize_t ret = write(...)`): the call may be
 * deferred as the last call of its run, whatever the program does with the
 * variable afterwards (`if (ret != n) goto fail;`, a report, a sum): nothing
 * runs between the assignment and the flush, which assigns the call's real
 * value (and errno) before the program reads it.
 */
export function assignedCheck(assignment: SyntaxNode, names: NameResolver): AssignedCheck | null {
  const target = assignedCall(assignment, names);
  if (!target) return null;
  return {
    call: target.call,
    kind: "error",
    expected: "0",
    compared: null,
    also: [],
    failure: null,
    leaves: false,
    variable: target.variable,
  };
}

/** A checked call read through the variable it is assigned to. */
export interface AssignedCheck extends CheckedCall {
  readonly variable: string;
}

/** `VAR = CALL(...)` or `T VAR = CALL(...)`: the variable and the call. */
function assignedCall(
  node: SyntaxNode,
  names: NameResolver,
): { call: SyntaxNode; spec: SyscallSpec; variable: string } | null {
  let left: SyntaxNode | null = null;
  let right: SyntaxNode | null = null;
  if (node.type === "expression_statement") {
    const expr = node.namedChildren.find((c) => c.type !== "comment");
    if (expr?.type !== "assignment_expression") return null;
    if (operatorText(expr) !== "=") return null;
    left = expr.childForFieldName("left");
    right = expr.childForFieldName("right");
  } else if (node.type === "declaration") {
    // The flush assigns the variable: not one declared const.
    if (node.namedChildren.some((c) => c.type === "type_qualifier" && c.text === "const")) {
      return null;
    }
    const declarators = node.childrenForFieldName("declarator");
    const only = declarators[0];
    if (declarators.length !== 1 || only?.type !== "init_declarator") return null;
    left = only.childForFieldName("declarator");
    right = only.childForFieldName("value");
  }
  if (left?.type !== "identifier" || !right || left.text === "errno") return null;
  if (names.isShared(left.text)) return null;
  const found = catalogueCall(right, names, false);
  if (!found || found.spec.result === "fd" || found.spec.result === "offset") return null;
  return { ...found, variable: left.text };
}

/** The operands of a chain of `||` (one operand when there is none), left to right. */
function orOperands(condition: SyntaxNode): SyntaxNode[] {
  const c = unwrap(condition, false);
  if (c.type !== "binary_expression" || operatorText(c) !== "||") return [condition];
  const left = c.childForFieldName("left");
  const right = c.childForFieldName("right");
  return left && right ? [...orOperands(left), right] : [condition];
}

/** Checked calls an `||` chain may hold (a longer one is read as results used). */
const maxChainLength = 8;

/** The checked call(s) of an `if` statement, or null when it is not one. */
export function checkedCall(node: SyntaxNode, names: NameResolver): CheckedCall | null {
  const parts = checkingIf(node, names);
  if (!parts) return null;
  // Every operand of a chain must be a check: anything else would be
  // evaluated while recording, with the calls before it not yet run.
  const operands = orOperands(parts.condition);
  if (operands.length > maxChainLength) return null;
  const links: CheckedLink[] = [];
  for (const operand of operands) {
    const link = checkOf(operand, names);
    if (!link) return null;
    links.push(link);
  }
  const [first, ...also] = links;
  return first ? { ...first, also, failure: parts.failure, leaves: parts.leaves } : null;
}
