// Reading what dbatch-bench and the preload library print.

import type { PreloadStats } from "./types.ts";

export interface ProgramRun {
  calls: number;
  perRep: number[];
}

/** The `key=value` fields of one `bench ...` line, or null for any other line. */
export function benchFields(line: string): Map<string, string> | null {
  const m = /^bench\s+(.*)$/.exec(line.trim());
  if (!m) return null;
  const fields = new Map<string, string>();
  for (const kv of (m[1] as string).split(/\s+/)) {
    const eq = kv.indexOf("=");
    if (eq > 0) fields.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  return fields;
}

/**
 * The program's `bench ... calls=N rep=R cost=C` lines (other lines, e.g. the
 * preload library's stats, are ignored). Throws when there is none or one is malformed.
 */
export function parseProgramOutput(output: string): ProgramRun {
  const perRep: number[] = [];
  let calls = 0;
  for (const line of output.split("\n")) {
    const fields = benchFields(line);
    if (!fields) continue;
    const c = Number(fields.get("calls"));
    const cost = Number(fields.get("cost"));
    if (!Number.isInteger(c) || c <= 0 || !Number.isFinite(cost) || cost < 0) {
      throw new Error(`malformed benchmark line: ${JSON.stringify(line)}`);
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
