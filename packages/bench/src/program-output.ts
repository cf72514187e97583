// Reading what dbatch-bench and the preload library print.

import { parseBenchLines } from "@dbatch/vm";
import type { PreloadStats } from "./types.ts";

export interface ProgramRun {
  calls: number;
  perRep: number[];
}

/**
 * The program's `bench ... calls=N rep=R cost=C` lines (other lines, e.g. the
 * preload library's stats, are ignored). Throws when there is none or one is malformed.
 */
export function parseProgramOutput(output: string): ProgramRun {
  const perRep: number[] = [];
  let calls = 0;
  for (const record of parseBenchLines(output, "")) {
    const c = record["calls"];
    const cost = record["cost"];
    if (
      typeof c !== "number" ||
      !Number.isInteger(c) ||
      c <= 0 ||
      typeof cost !== "number" ||
      cost < 0
    ) {
      throw new Error(`malformed benchmark line: ${JSON.stringify(record)}`);
    }
    calls = c;
    perRep.push(cost);
  }
  if (perRep.length === 0) {
    throw new Error(`no benchmark lines in the output: ${JSON.stringify(output.slice(0, 120))}`);
  }
  return { calls, perRep };
}

/** The `dbatch: backend=... recorded=...` line of DBATCH_STATS=1, if any. */
export function parsePreloadStats(stderr: string, repetitions: number): PreloadStats | null {
  const line = stderr.split("\n").find((l) => /^dbatch: .*backend=/.test(l));
  if (!line) return null;
  const fields = new Map<string, string>();
  for (const m of line.matchAll(/(\w+)=(\S+)/g)) fields.set(m[1] as string, m[2] as string);
  const num = (key: string): number => {
    const v = Number(fields.get(key));
    return Number.isFinite(v) ? v / repetitions : NaN;
  };
  return {
    backend: fields.get("backend") ?? "?",
    recordedPerRep: num("recorded"),
    flushesPerRep: num("flushes"),
    kernelEntriesPerRep: num("kernel_entries"),
  };
}
