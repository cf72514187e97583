// Pointers that may point into the same memory: names joined by an
// assignment or initialisation of a pointer-shaped value (p = buf,
// char *q = &buf[4], r = p + n). A deferred read fills a buffer at the
// flush, so a use of any name of its group before then would see old bytes.
// An over-approximation (an int copied from buf[0] joins too) only costs
// batching.
import type { CNode as SyntaxNode } from "../syntax-tree.ts";
import { bufferIdentifiers } from "./expressions.ts";

/** The declared name of a declarator (int *p, char q[4], ...). */
function declaredName(node: SyntaxNode): string | null {
  let n: SyntaxNode | null = node;
  while (n && n.type !== "identifier") n = n.childForFieldName("declarator");
  return n?.text ?? null;
}

/** name -> every name in its group (itself included), for the names that have a group. */
export function pointerAliases(body: SyntaxNode): ReadonlyMap<string, ReadonlySet<string>> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r) ?? r;
    return r;
  };
  const join = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    if (!parent.has(ra)) parent.set(ra, ra);
    if (!parent.has(rb)) parent.set(rb, rb);
    if (ra !== rb) parent.set(ra, rb);
  };
  const stack: SyntaxNode[] = [body];
  for (let node = stack.pop(); node; node = stack.pop()) {
    let target: string | null = null;
    let value: SyntaxNode | null = null;
    if (node.type === "init_declarator") {
      const declarator = node.childForFieldName("declarator");
      target = declarator ? declaredName(declarator) : null;
      value = node.childForFieldName("value");
    } else if (node.type === "assignment_expression") {
      const left = node.childForFieldName("left");
      target = left?.type === "identifier" ? left.text : null;
      value = node.childForFieldName("right");
    }
    if (target && value) {
      for (const name of bufferIdentifiers(value) ?? []) join(target, name);
    }
    stack.push(...node.namedChildren);
  }
  const groups = new Map<string, Set<string>>();
  for (const name of parent.keys()) {
    const root = find(name);
    const group = groups.get(root) ?? new Set<string>();
    group.add(name);
    groups.set(root, group);
  }
  const out = new Map<string, ReadonlySet<string>>();
  for (const group of groups.values()) {
    if (group.size > 1) for (const name of group) out.set(name, group);
  }
  return out;
}
