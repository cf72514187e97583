// Child process of the transform benchmark: transforms one generated file of
// the size asked for (MB) and prints `mb seconds maxRssKb runs` on one line,
// so the parent sees this process's peak memory alone.
import { transformSourceAsync } from "../src/index.ts";
import { generatedFunctions } from "./corpus.ts";

const wantedMb = Number(process.argv[2] ?? "0");
let text = "";
if (wantedMb > 0) {
  const parts: string[] = [];
  let size = 0;
  for (let seed = 1; size < wantedMb * 1e6; seed++) {
    const part = generatedFunctions(200, seed);
    parts.push(part);
    size += part.length;
  }
  text = parts.join("");
}
const baseline = process.resourceUsage().maxRSS;
const start = process.hrtime.bigint();
const result = await transformSourceAsync(text);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(
  `${(text.length / 1e6).toFixed(2)} ${seconds.toFixed(2)} ${process.resourceUsage().maxRSS} ${baseline} ${result.runs.length}`,
);
