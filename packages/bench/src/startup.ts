// Start-up: how long the CLI takes to answer before it does any work, side
// by side with prettier (a Node CLI users already run per file, per commit).

import { spawnSync } from "node:child_process";
import type { LargeFileReport } from "./large-file.ts";
import { median, minimum } from "./stats.ts";

/** The commands to time, supplied by the CLI that knows where its binaries are. */
export interface StartupCommands {
  dbatch: string;
  transform: string;
  prettier: string;
  /** A C file for `dbatch-transform --check`. */
  cFile: string;
  /** A file prettier can check, of similar size. */
  prettierFile: string;
}

export interface StartupPair {
  name: string;
  ours: { command: string; medianMs: number; minMs: number };
  reference: { command: string; medianMs: number; minMs: number };
  /** reference / ours: >= 1 means ours starts no slower. */
  ratio: number;
}

export interface StartupReport {
  reps: number;
  pairs: StartupPair[];
  /** dbatch-transform's peak memory on a large file (null: not measured). */
  largeFile: LargeFileReport | null;
}

function timeOnce(argv: readonly string[]): number {
  const [command, ...args] = argv as [string, ...string[]];
  const start = process.hrtime.bigint();
  const r = spawnSync(command, args, { stdio: "ignore" });
  const ns = Number(process.hrtime.bigint() - start);
  if (r.error) throw new Error(`${argv.join(" ")}: ${r.error.message}`);
  return ns / 1e6;
}

/** Times each pair interleaved (ours, reference, ours, ...) after one untimed call of each. */
export function measureStartup(commands: StartupCommands, reps: number): StartupReport {
  const plan: { name: string; ours: string[]; reference: string[] }[] = [
    {
      name: "help",
      ours: [commands.dbatch, "--help"],
      reference: [commands.prettier, "--help"],
    },
    {
      name: "check one file",
      ours: [commands.transform, "--check", commands.cFile],
      reference: [commands.prettier, "--check", commands.prettierFile],
    },
  ];
  const pairs: StartupPair[] = [];
  for (const p of plan) {
    timeOnce(p.ours);
    timeOnce(p.reference);
    const ours: number[] = [];
    const reference: number[] = [];
    for (let i = 0; i < reps; i++) {
      ours.push(timeOnce(p.ours));
      reference.push(timeOnce(p.reference));
    }
    const oursMedian = median(ours);
    const referenceMedian = median(reference);
    pairs.push({
      name: p.name,
      ours: { command: shortCommand(p.ours), medianMs: oursMedian, minMs: minimum(ours) },
      reference: {
        command: shortCommand(p.reference),
        medianMs: referenceMedian,
        minMs: minimum(reference),
      },
      ratio: referenceMedian / oursMedian,
    });
  }
  return { reps, pairs, largeFile: null };
}

/** `dbatch --help`, not the absolute path of the binary. */
function shortCommand(argv: readonly string[]): string {
  return argv.map((a, i) => (i === 0 || a.startsWith("/") ? a.replace(/^.*\//, "") : a)).join(" ");
}
