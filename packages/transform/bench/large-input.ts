// Child process of the transform benchmark: transforms one generated file of
// the size asked for (MB) and prints `mb seconds maxRssKb baselineKb runs` on
// one line, so the parent sees this process's peak memory alone. With "lean"
// the result is what `dbatch-transform --check` asks for (counts and edits,
// no per-site reports, no output text).
import { readFileSync } from "node:fs";
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
// The peak of this process image: VmHWM resets at exec, where getrusage's
// maxrss keeps what the forked parent had.
const peakKb = (): number =>
  Number(/^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? "0");
const baseline = peakKb();
const start = process.hrtime.bigint();
const lean = process.argv[3] === "lean";
const result = await transformSourceAsync(text, lean ? { reports: false, output: false } : {});
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(
  `${(text.length / 1e6).toFixed(2)} ${seconds.toFixed(2)} ${peakKb()} ${baseline} ${result.counts.runs}`,
);
