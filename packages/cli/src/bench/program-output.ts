// Reading what dbatch-bench and the preload library print.

import type { PreloadStats } from "./types.ts";

export interface ProgramRun {
  calls: number;
  perRep: number[];
}

/** `calls N` then one cost per line. Throws on anything else. */
export function parseProgramOutput(stdout: string): ProgramRun {
  const lines = stdout.trim().split("\n");
  const head = /^calls (\d+)$/.exec(lines[0] ?? "");
  if (!head) throw new Error(`unexpected benchmark output: ${JSON.stringify(stdout.slice(0, 80))}`);
  const perRep = lines.slice(1).map((line) => {
    if (!/^\d+$/.test(line)) throw new Error(`unexpected benchmark line: ${JSON.stringify(line)}`);
    return Number(line);
  });
  return { calls: Number(head[1]), perRep };
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
