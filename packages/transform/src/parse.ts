// Parsing C with tree-sitter. One parser per process: creating one and loading
// the grammar costs more than parsing a small file.
import Parser from "tree-sitter";
import C from "tree-sitter-c";

export type SyntaxNode = Parser.SyntaxNode;
export type SyntaxTree = Parser.Tree;

let parser: Parser | null = null;

export function parseC(text: string): SyntaxTree {
  if (!parser) {
    parser = new Parser();
    // tree-sitter-c 0.23's typings predate tree-sitter 0.22's Language type.
    parser.setLanguage(C as unknown as Parser.Language);
  }
  return parser.parse(text);
}
