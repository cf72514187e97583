// Finds opens whose fd escapes their run: the fd is a stand-in (or a
// placeholder) until the flush, so any use of the variable other than as the
// fd of a later deferred call in the same run would see the wrong number.
import type { CNode as SyntaxNode } from "../syntax-tree.ts";
import { isStatementNode, type NameResolver, type OpenCandidate } from "./facts.ts";
import type { Run } from "./runs.ts";

/**
 * Opens whose fd variable is used other than as the fd of a deferred call in
 * the same run, or may be: a #define of the file reads the variable's name
 * (its uses show only the macro's name).
 */
export function leakingOpens(
  body: SyntaxNode,
  allRuns: readonly Run[],
  names: Pick<NameResolver, "isMacroCaptured">,
): OpenCandidate[] {
  const candidates = allRuns.flatMap((s) => s.opens.map((open) => ({ open, run: s })));
  if (candidates.length === 0) return [];
  const references = identifierReferences(body, new Set(candidates.map((c) => c.open.variable)));
  // An fd argument that follows, in its own run, a statement re-opening
  // the variable sees that new fd, never an earlier open's placeholder.
  const fdArgumentsOf = new Map(allRuns.map((s) => [s, fdArguments(s)] as const));
  const reopened = new Set<number>();
  for (const run of allRuns) {
    for (const open of run.directOpens) {
      for (const ref of fdArgumentsOf.get(run) ?? []) {
        if (ref.text === open.variable && ref.startIndex > open.target.startIndex) {
          reopened.add(ref.startIndex);
        }
      }
    }
  }
  const leaks: OpenCandidate[] = [];
  for (const { open, run } of candidates) {
    const allowed = new Set<number>();
    // Only calls after the open: one before it, when the run is a loop body,
    // would see the previous iteration's fd, already flushed (and perhaps
    // the placeholder of an open that failed).
    for (const ref of fdArgumentsOf.get(run) ?? []) {
      if (ref.startIndex > open.target.startIndex) allowed.add(ref.startIndex);
    }
    for (const other of run.opens) {
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
    if (leaks_ || !declaredInScope || names.isMacroCaptured(open.variable)) leaks.push(open);
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

/** The identifiers passed as the fd argument of the run's calls. */
function fdArguments(run: Run): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  for (const site of run.sites) {
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
