import Parser from "tree-sitter";
import C from "tree-sitter-c";
import { transformSource } from "../src/index.ts";
import { generatedFunctions } from "./corpus.ts";
const parser = new Parser();
parser.setLanguage(C as unknown as Parser.Language);
const dense = Array.from({ length: 10 }, (_, i) => generatedFunctions(150, i + 1));
const t = (f: () => void) => { const s = process.hrtime.bigint(); f(); return Number(process.hrtime.bigint() - s) / 1e9; };
dense.forEach((d) => transformSource(d));
let p = Infinity, x = Infinity;
for (let i = 0; i < Number(process.argv[2] ?? 3); i++) {
  p = Math.min(p, t(() => dense.forEach((d) => parser.parse(d))));
  x = Math.min(x, t(() => dense.forEach((d) => transformSource(d))));
}
console.log(`parse ${p.toFixed(3)} transform ${x.toFixed(3)} ratio ${(p / x).toFixed(2)}`);
