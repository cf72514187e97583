// pnpm bench:transform: transform throughput against a bare tree-sitter parse
// of the same files, in the same process, plus 1x/4x/16x sizes of one file
// for linearity. Not a test: it prints numbers. Target: ratio >= 0.6x on the
// corpus, time per MB flat across sizes.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Parser from "tree-sitter";
import C from "tree-sitter-c";
import { transformSource } from "../src/index.ts";
import { fixtureInputs, generatedFunctions, realCFile } from "./corpus.ts";

const parser = new Parser();
parser.setLanguage(C as unknown as Parser.Language);

const megabytes = (files: readonly string[]): number =>
  files.reduce((sum, text) => sum + Buffer.byteLength(text, "utf8"), 0) / 1e6;

function seconds(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

interface Measurement {
  mb: number;
  parseSeconds: number;
  transformSeconds: number;
  runs: number;
  sites: number;
}

/**
 * Parse and transform every file, alternately, `repeat` times each, keeping
 * the best total of each: the machine is shared, and alternating exposes both
 * to the same load.
 */
function measure(files: readonly string[], repeat: number): Measurement {
  let runs = 0;
  let sites = 0;
  let parseSeconds = Infinity;
  let transformSeconds = Infinity;
  for (let i = 0; i < repeat; i++) {
    parseSeconds = Math.min(
      parseSeconds,
      seconds(() => files.forEach((text) => parser.parse(text))),
    );
    transformSeconds = Math.min(
      transformSeconds,
      seconds(() => {
        runs = 0;
        sites = 0;
        for (const text of files) {
          const result = transformSource(text);
          runs += result.runs.length;
          sites += result.sites.length;
        }
      }),
    );
  }
  return { mb: megabytes(files), parseSeconds, transformSeconds, runs, sites };
}

function line(label: string, m: Measurement): string {
  const parseRate = m.mb / m.parseSeconds;
  const transformRate = m.mb / m.transformSeconds;
  return (
    `${label.padEnd(36)} ${m.mb.toFixed(2).padStart(6)} MB  ` +
    `parse ${parseRate.toFixed(2).padStart(5)} MB/s  transform ${transformRate.toFixed(2).padStart(5)} MB/s  ` +
    `ratio ${(transformRate / parseRate).toFixed(2)}x  ` +
    `(${m.transformSeconds.toFixed(2)} s, ${m.runs} runs, ${m.sites} sites)`
  );
}

const real = realCFile();
const fixtures = fixtureInputs();
// Warm up: load the grammar, JIT the analysis.
fixtures.forEach((text) => transformSource(text));

const fixtureCopies = Array.from({ length: 60 }, () => fixtures).flat();
const corpus = [real.text, ...fixtureCopies];
const dense = Array.from({ length: 10 }, (_, i) => generatedFunctions(150, i + 1));

console.log(
  "dbatch transform benchmark: best of 3, per file; the transform's time includes its own parse",
);
const parts: [string, string[]][] = [
  [real.name, [real.text]],
  [`fixtures x60 (${fixtureCopies.length} files)`, fixtureCopies],
];
for (const [label, files] of parts) console.log(line(label, measure(files, 3)));
const whole = measure(corpus, 3);
console.log(line("corpus (both of the above)", whole));
console.log(line("generated syscall-dense (10 files)", measure(dense, 3)));
console.log("");
console.log("linearity: one generated file, 1x / 4x / 16x the functions");
const scale: Measurement[] = [];
for (const factor of [1, 4, 16]) {
  const m = measure([generatedFunctions(200 * factor, 99)], factor === 16 ? 2 : 3);
  scale.push(m);
  console.log(line(`${factor}x`, m) + `  ${((m.transformSeconds / m.mb) * 1000).toFixed(0)} ms/MB`);
}
const [one, , sixteen] = scale;
if (one && sixteen) {
  const growth = sixteen.transformSeconds / sixteen.mb / (one.transformSeconds / one.mb);
  console.log(`transform time per MB, 16x over 1x: ${growth.toFixed(2)} (1.00 = linear)`);
}
const ratio = whole.parseSeconds / whole.transformSeconds;
console.log(
  `corpus: ${whole.mb.toFixed(2)} MB, transform/parse speed ratio ${ratio.toFixed(2)}x (target >= 0.6x)`,
);

// Large input, each size in a fresh process: peak memory (maxrss) against the
// input's size, the part above the process's own before the transform
// started (Node, the grammar, the generated text itself) and all of it.
console.log("");
console.log(
  "large input: one generated file per process, transformed in pieces (chunks.ts); " +
    "the CLI's target (<= 10x) is judged by `dbatch bench`, on the binary itself",
);
const child = join(dirname(fileURLToPath(import.meta.url)), "large-input.ts");
for (const [mb, lean] of [
  [5, false],
  [20, false],
  [20, true],
] as const) {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", child, String(mb), lean ? "lean" : ""],
    {
      encoding: "utf8",
    },
  );
  const [size, secs, peakKb, beforeKb, runs] = r.stdout.trim().split(" ").map(Number);
  if (r.status !== 0 || size === undefined || peakKb === undefined || beforeKb === undefined) {
    console.log(`${mb} MB: failed: ${r.stderr.trim().split("\n").slice(-2).join(" | ")}`);
    continue;
  }
  const peakMb = peakKb / 1024;
  const ratio = peakMb / size;
  console.log(
    `${size.toFixed(1).padStart(5)} MB ${lean ? "counts only " : "full result "} ${secs} s  ${runs} runs  ` +
      `peak RSS ${peakMb.toFixed(0)} MB (${ratio.toFixed(1)}x the input; ` +
      `${((peakKb - beforeKb) / 1024 / size).toFixed(1)}x above the process before it)`,
  );
}
