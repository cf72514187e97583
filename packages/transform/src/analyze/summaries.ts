// Summaries of the file's own static functions, so that a call to a helper
// can join a run in its caller. A function is summarised when its whole body
// could sit inside a run as it stands: every statement one a run may hold
// (statements.ts decides, as for any run), no result used or checked, no
// deferred read (its buffer could be the helper's own stack, gone before the
// flush), no open (its fd would leave the helper as a placeholder), only
// arguments the recording copies. Then the helper's calls, made while the
// caller's window is open, are recorded like the caller's own, and what the
// helper's code does between them is what a run's statements may do.
//
// Depth: any, through other summarised functions, each defined before the
// call (as C's static helpers usually are; a forward declaration is not
// followed), so a recursive function is never summarised and the verdicts do
// not depend on how the file is cut into pieces. Only `static` definitions:
// any other may be replaced at link or load time by another definition.
import type { SyscallSpec } from "@dbatch/catalogue";
import { batchFlushName, batchStartName } from "../known-functions.ts";
import type { CNode as SyntaxNode } from "../syntax-tree.ts";
import { pointerAliases } from "./aliases.ts";
import { isStatementNode, type HelperSummary, type NameResolver } from "./facts.ts";
import { StatementClassifier } from "./statements.ts";

/**
 * Recorded with its memory copied: no argument the kernel writes into (a
 * read's buffer, `outbuf`, is the only such kind), no fd it returns.
 */
function recordable(spec: SyscallSpec): boolean {
  return spec.deferredReturn !== "placeholder-fd" && spec.args.every((a) => a.kind !== "outbuf");
}

/** The name a `static` function definition defines, or null. */
export function staticFunctionName(fn: SyntaxNode): string | null {
  if (fn.type !== "function_definition") return null;
  const isStatic = fn.namedChildren.some(
    (c) => c.type === "storage_class_specifier" && c.text === "static",
  );
  if (!isStatic) return null;
  let declarator = fn.childForFieldName("declarator");
  while (declarator && declarator.type !== "function_declarator") {
    declarator = declarator.childForFieldName("declarator");
  }
  const name = declarator?.childForFieldName("declarator");
  return name?.type === "identifier" ? name.text : null;
}

/** `batch_start();` or `batch_flush();`: a transformed helper's own window (see below). */
function isWindowStatement(node: SyntaxNode): boolean {
  if (node.type !== "expression_statement") return false;
  const call = node.namedChildren.find(isStatementNode);
  if (call?.type !== "call_expression") return false;
  const name = call.childForFieldName("function")?.text;
  return name === batchStartName || name === batchFlushName;
}

/**
 * The summary of @fn, or null when it is not a static function whose body
 * could be part of a run (see the file comment).
 *
 * A helper of two or more calls gets a window of its own when the file is
 * transformed; the pair at the body's top level is read through, so a second
 * transform finds the same summary. Called inside a caller's window, that
 * inner batch_start() does nothing and its batch_flush() runs what both
 * recorded (<dbatch.h>: opening an open window does nothing): the caller's
 * calls after it then run directly, as they may.
 */
export function summarizeHelper(fn: SyntaxNode, names: NameResolver): HelperSummary | null {
  const name = staticFunctionName(fn);
  const body = fn.childForFieldName("body");
  if (!name || fn.hasError || body?.type !== "compound_statement") return null;
  const classifier = new StatementClassifier(names, new Set(), pointerAliases(body), true);
  const calls: { offset: number; names: readonly string[] }[] = [];
  const mentions = new Set<string>();
  const siteOffsets: number[] = [];
  for (const statement of StatementClassifier.listOf(body).statements) {
    if (isWindowStatement(statement)) continue;
    const f = classifier.facts(statement);
    if (
      f.hazard !== null ||
      f.escapesBreak ||
      f.escapesContinue ||
      f.check !== null ||
      f.opens.length > 0 ||
      f.readBuffers.size > 0 ||
      f.batchStartCalls + f.batchFlushCalls > 0
    ) {
      return null;
    }
    for (const site of f.sites) {
      if (site.reason !== null || !recordable(site.spec)) return null;
      calls.push({ offset: site.node.startIndex, names: [site.name] });
      siteOffsets.push(site.node.startIndex);
    }
    for (const h of f.helperCalls) {
      calls.push({ offset: h.node.startIndex, names: h.summary.calls });
      siteOffsets.push(...h.summary.siteOffsets);
    }
    for (const m of f.mentions) mentions.add(m);
  }
  if (calls.length === 0) return null;
  calls.sort((a, b) => a.offset - b.offset);
  return {
    name,
    definedAt: fn.startIndex,
    calls: calls.flatMap((c) => c.names),
    mentions,
    siteOffsets,
  };
}
