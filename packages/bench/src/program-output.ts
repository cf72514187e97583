// Reading what dbatch-bench and the preload library print.

import { parseBenchLines } from "@dbatch/vm";
import type { PreloadStats } from "./types.ts";

export interface ProgramRun {
  calls: number;
  perRep: number[];
  /** System calls per repetition, counted by the kernel (null: not countable here). */
  kernelEntries: number | null;
  /** Why they could not be counted (the program's `unsupported=` reason). */
  kernelEntriesUnsupported: string | null;
  /**
   * Where the kernel could not count: per repetition, the entries the preload
   * library counted of its own plus the calls it did not record (they went to
   * the kernel as themselves); null without the library.
   */
  libraryEntries: number | null;
  /** Repetitions run for the entries line (after the timed ones). */
  countedReps: number;
}

/** The `key=value` words of one line. */
function keyValues(line: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const m of line.matchAll(/(\w+)=(\S+)/g)) fields.set(m[1] as string, m[2] as string);
  return fields;
}

interface EntriesLine {
  perRep: number | null;
  unsupported: string | null;
  libraryPerRep: number | null;
  reps: number;
}

/**
 * The program's `entries ... calls=N reps=K total=T` line: T / K; or why
 * there is none, with the library's `library_entries=E library_recorded=R`
 * as (E + N * K - R) / K when it printed them.
 */
function parseEntriesLine(output: string): EntriesLine {
  const line = output.split("\n").find((l) => l.startsWith("entries "));
  if (!line) return { perRep: null, unsupported: "no entries line", libraryPerRep: null, reps: 0 };
  const fields = keyValues(line);
  const calls = Number(fields.get("calls"));
  const reps = Number(fields.get("reps"));
  const total = Number(fields.get("total"));
  if (!Number.isInteger(reps) || reps <= 0)
    throw new Error(`malformed entries line: ${JSON.stringify(line)}`);
  if (fields.has("unsupported")) {
    const entries = Number(fields.get("library_entries"));
    const recorded = Number(fields.get("library_recorded"));
    const library =
      fields.has("library_entries") &&
      Number.isInteger(entries) &&
      Number.isInteger(recorded) &&
      Number.isInteger(calls)
        ? (entries + Math.max(0, calls * reps - recorded)) / reps
        : null;
    return {
      perRep: null,
      unsupported: fields.get("unsupported") ?? "",
      libraryPerRep: library,
      reps,
    };
  }
  if (!Number.isInteger(total) || total < 0)
    throw new Error(`malformed entries line: ${JSON.stringify(line)}`);
  return { perRep: total / reps, unsupported: null, libraryPerRep: null, reps };
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
  const entries = parseEntriesLine(output);
  return {
    calls,
    perRep,
    kernelEntries: entries.perRep,
    kernelEntriesUnsupported: entries.unsupported,
    libraryEntries: entries.libraryPerRep,
    countedReps: entries.reps,
  };
}

/** The `dbatch: backend=... recorded=...` line of DBATCH_STATS=1, if any. */
export function parsePreloadStats(stderr: string, repetitions: number): PreloadStats | null {
  const line = stderr.split("\n").find((l) => /^dbatch: .*backend=/.test(l));
  if (!line) return null;
  const fields = keyValues(line);
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
