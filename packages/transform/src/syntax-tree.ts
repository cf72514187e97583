// A plain-JavaScript copy of the parts of the tree the analysis looks at.
// Every property read on a tree-sitter node crosses into native code and
// allocates; the analysis reads each node many times. Copying a subtree once
// with a TreeCursor walk, then working on plain objects, is several times
// faster than walking SyntaxNode objects (and lets the pre-scan copy only
// the top-level declarations that can hold a syscall).
import C from "tree-sitter-c";
import type { SyntaxNode, SyntaxTree } from "./parse.ts";

const noChildren: CNode[] = [];

export class CNode {
  children: CNode[] = noChildren;
  private named: CNode[] | null = null;
  /** The subtree holds an ERROR or MISSING node. */
  hasError = false;
  /** Levels of the copied subtree below this node (0 for a leaf). */
  height = 0;

  constructor(
    private readonly source: string,
    readonly id: number,
    readonly type: string,
    readonly isNamed: boolean,
    readonly isMissing: boolean,
    readonly startIndex: number,
    readonly endIndex: number,
    /** The field this node fills in its parent (`body`, `condition`, ...), if any. */
    readonly field: string | null,
    readonly parent: CNode | null,
  ) {}

  addChild(child: CNode): void {
    if (this.children === noChildren) this.children = [];
    this.children.push(child);
  }

  get text(): string {
    return this.source.slice(this.startIndex, this.endIndex);
  }

  /** Text of the source this node was copied from, not only its own. */
  sourceSlice(start: number, end: number): string {
    return this.source.slice(start, end);
  }

  get namedChildren(): CNode[] {
    if (!this.named) this.named = this.children.filter((c) => c.isNamed);
    return this.named;
  }

  /** Every child is named (set once the subtree is copied). */
  useChildrenAsNamed(): void {
    this.named = this.children;
  }

  childForFieldName(field: string): CNode | null {
    for (const c of this.children) if (c.field === field) return c;
    return null;
  }

  childrenForFieldName(field: string): CNode[] {
    return this.children.filter((c) => c.field === field);
  }

  /** The smallest node spanning [start, end). */
  descendantForRange(start: number, end: number): CNode {
    let node: CNode = this;
    for (;;) {
      const child = node.children.find((c) => c.startIndex <= start && end <= c.endIndex);
      if (!child) return node;
      node = child;
    }
  }
}

/**
 * The operator of a unary, binary or assignment expression: the copied tree
 * keeps no tokens of a clean subtree, so it is the text between the operands
 * (before the argument of a unary one).
 */
export function operatorText(node: CNode): string {
  const arg = node.childForFieldName("argument");
  if (arg) return node.text.slice(0, arg.startIndex - node.startIndex).trim();
  const left = node.childForFieldName("left");
  const right = node.childForFieldName("right");
  if (!left || !right) return "";
  return node.text
    .slice(left.endIndex - node.startIndex, right.startIndex - node.startIndex)
    .trim();
}

/** A top-level node of the file, without its subtree. */
export interface TopLevelEntry {
  readonly type: string;
  readonly startIndex: number;
  readonly endIndex: number;
}

export interface TopLevelScan {
  /** Every top-level node, in order (type and range only). */
  readonly entries: readonly TopLevelEntry[];
  /** Full copies of the top-level nodes that hold one of the offsets asked for. */
  readonly copies: readonly CNode[];
}

/**
 * Lists the file's top-level nodes and copies those whose range holds one of
 * `offsets` (sorted ascending).
 */
export function scanTopLevel(
  tree: SyntaxTree,
  source: string,
  offsets: readonly number[],
  /** Numbers the copies: shared by the pieces of one file, so ids stay unique. */
  counter: { next: number },
): TopLevelScan {
  const entries: TopLevelEntry[] = [];
  const copies: CNode[] = [];
  const cursor = tree.walk();
  let next = 0;
  if (!cursor.gotoFirstChild()) return { entries, copies };
  do {
    const start = cursor.startIndex;
    const end = cursor.endIndex;
    entries.push({ type: cursor.nodeType, startIndex: start, endIndex: end });
    while (next < offsets.length && (offsets[next] ?? 0) < start) next++;
    if (next < offsets.length && (offsets[next] ?? 0) < end) {
      // Only a subtree with an error needs every token (a MISSING `;` is one).
      const exact = cursor.currentNode.hasError;
      copies.push(copySubtree(cursor, source, counter, exact));
    }
  } while (cursor.gotoNextSibling());
  return { entries, copies };
}

/**
 * Start offsets of the outermost ERROR and MISSING nodes of the tree, in text
 * order. Only the paths down to them are visited (hasError prunes the rest),
 * with an explicit stack: error recovery can nest nodes arbitrarily deep.
 */
export function errorOffsets(tree: SyntaxTree): number[] {
  const root = tree.rootNode;
  if (!root.hasError) return [];
  const found: number[] = [];
  const stack: SyntaxNode[] = [root];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.type === "ERROR" || node.isMissing) {
      found.push(node.startIndex);
      continue;
    }
    const children = node.children;
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child?.hasError) stack.push(child);
    }
  }
  return found;
}

type Cursor = ReturnType<SyntaxTree["walk"]>;

// Named node types, from the grammar's node-types.json (no name is both named
// and anonymous in tree-sitter-c): reading the type string is cheaper than
// asking the cursor whether the node is named.
const namedTypes: ReadonlySet<string> = new Set([
  "ERROR",
  ...(C as unknown as { nodeTypeInfo: { type: string; named: boolean }[] }).nodeTypeInfo
    .filter((t) => t.named)
    .map((t) => t.type),
]);

// Nodes whose inside the analysis never looks at (or leaves, where asking
// for a first child would only cost a call): copied without children.
const opaqueTypes: ReadonlySet<string> = new Set([
  "identifier",
  "string_literal",
  "concatenated_string",
  "char_literal",
  "system_lib_string",
  "number_literal",
  "comment",
  "primitive_type",
  "type_descriptor",
  "sizeof_expression",
  "preproc_arg",
  "string_content",
  "escape_sequence",
  "type_identifier",
  "field_identifier",
  "statement_identifier",
  "struct_specifier",
  "union_specifier",
  "enum_specifier",
  "attribute_specifier",
  "attribute_declaration",
  "ms_declspec_modifier",
]);

// The parents whose children's field names the analysis asks for; other
// children skip the field read (most nodes sit in argument lists, blocks and
// expression statements, where fields are never asked for).
const parentsWithFields: ReadonlySet<string> = new Set([
  "function_definition",
  "function_declarator",
  "call_expression",
  "cast_expression",
  "comma_expression",
  "conditional_expression",
  "assignment_expression",
  "binary_expression",
  "subscript_expression",
  "field_expression",
  "if_statement",
  "for_statement",
  "while_statement",
  "do_statement",
  "switch_statement",
  "case_statement",
  "declaration",
  "init_declarator",
  "array_declarator",
  "pointer_declarator",
  "attributed_declarator",
  "parenthesized_declarator",
  "preproc_if",
  "preproc_ifdef",
  "preproc_elif",
  "preproc_elifdef",
]);

/**
 * Copies the cursor's current node and its subtree; leaves the cursor where it
 * was. Anonymous tokens are skipped unless `exact` (then MISSING is read too).
 */
function copySubtree(
  cursor: Cursor,
  source: string,
  counter: { next: number },
  exact: boolean,
): CNode {
  const make = (type: string, parent: CNode | null): CNode =>
    new CNode(
      source,
      counter.next++,
      type,
      namedTypes.has(type),
      exact && cursor.nodeIsMissing,
      cursor.startIndex,
      cursor.endIndex,
      parent && parentsWithFields.has(parent.type) ? fieldName(cursor) : null,
      parent,
    );
  const root = make(typeName(cursor), null);
  let current = root;
  // Depth-first with the cursor; `current` mirrors the cursor's parent position.
  if (!opaqueTypes.has(root.type) && cursor.gotoFirstChild()) {
    for (;;) {
      const type = typeName(cursor);
      let descend = false;
      if (exact || namedTypes.has(type)) {
        const node = make(type, current);
        current.addChild(node);
        if (!opaqueTypes.has(type) && cursor.gotoFirstChild()) {
          current = node;
          descend = true;
        } else {
          finish(node);
        }
      }
      if (descend) continue;
      while (!cursor.gotoNextSibling()) {
        cursor.gotoParent();
        finish(current);
        if (current === root) return root;
        current = current.parent ?? root;
      }
    }
  }
  finish(root);
  return root;
}

// Type and field names by id: reading the id is a number, the name a new
// string each time (and garbage to collect), so each name is read once.
const typeNames: string[] = [];
const fieldNames: (string | null)[] = [];

function typeName(cursor: Cursor): string {
  const id = cursor.nodeTypeId;
  return (typeNames[id] ??= cursor.nodeType);
}

function fieldName(cursor: Cursor): string | null {
  const id = cursor.currentFieldId;
  if (!id) return null;
  return (fieldNames[id] ??= cursor.currentFieldName || null);
}

function finish(node: CNode): void {
  let hasError = node.type === "ERROR" || node.isMissing;
  let height = 0;
  let allNamed = true;
  for (const c of node.children) {
    hasError ||= c.hasError;
    if (c.height >= height) height = c.height + 1;
    allNamed &&= c.isNamed;
  }
  node.hasError = hasError;
  node.height = height;
  // Only a subtree with an error keeps anonymous tokens: elsewhere the
  // named children are the children, with no second array.
  if (allNamed) node.useChildrenAsNamed();
}
