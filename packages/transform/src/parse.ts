// Parsing C with tree-sitter. One parser per process: creating one and loading
// the grammar costs more than parsing a small file.
import Parser from "tree-sitter";
import C from "tree-sitter-c";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export type SyntaxNode = Parser.SyntaxNode;
export type SyntaxTree = Parser.Tree;

let parser: Parser | null = null;

/** A part of the text to parse alone (node offsets stay the whole text's). */
export interface ParseRange {
  readonly startIndex: number;
  readonly endIndex: number;
  /** 0-based rows and columns of the two ends. */
  readonly startPosition: { row: number; column: number };
  readonly endPosition: { row: number; column: number };
}

export function parseC(text: string, range?: ParseRange): SyntaxTree {
  if (!parser) {
    parser = new Parser();
    // tree-sitter-c 0.23's typings predate tree-sitter 0.22's Language type.
    parser.setLanguage(C as unknown as Parser.Language);
  }
  return range ? parser.parse(text, undefined, { includedRanges: [range] }) : parser.parse(text);
}

/**
 * A dropped tree's native memory (about 50 bytes per byte of dense C) is
 * freed only when V8 collects its small JavaScript wrapper, and V8 does not
 * know what the wrapper holds: parsing a large file piece by piece would keep
 * every piece's tree until the heap itself filled. After this many bytes of
 * source parsed, the pieces' trees are collected explicitly.
 */
const collectEveryChars = 256 * 1024;
let parsedSinceCollection = 0;
let collect: (() => void) | null = null;

/** Called when a piece's tree is no longer referenced. */
export function droppedTree(chars: number): void {
  parsedSinceCollection += chars;
  if (parsedSinceCollection >= collectEveryChars) collectGarbage();
}

/**
 * A full collection now: also called once after the last piece of a large
 * file, so the report is built on a heap holding only what is kept.
 */
export function collectGarbage(): void {
  parsedSinceCollection = 0;
  if (!collect) {
    setFlagsFromString("--expose-gc");
    collect = runInNewContext("gc") as () => void;
  }
  collect();
}
