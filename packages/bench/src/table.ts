// The report for people: one table per workload with ratios against plain,
// the targets as pass/fail, the hardware counters (or why there are none),
// and everything that could not be measured.

import { methodSpec } from "./methods.ts";
import type { BenchRun } from "./run.ts";
import { counterEvents } from "./perf-counters.ts";
import type { MethodResult, Measurement } from "./types.ts";
import { workloadSpec } from "./workloads.ts";

/** A Markdown pipe table with aligned columns (readable as plain text too). */
export function pipeTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly boolean[],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const cell = (text: string, i: number): string =>
    right[i] ? text.padStart(widths[i] as number) : text.padEnd(widths[i] as number);
  const line = (cells: readonly string[]): string => `| ${cells.map(cell).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (right[i] ? `${"-".repeat(w + 1)}:` : `${"-".repeat(w + 2)}`)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

function fmt(value: number, unit: string): string {
  const digits = value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${unit === "instructions" ? "ins" : unit}`;
}

function batchingColumn(m: Measurement | undefined): string {
  const s = m?.preloadStats;
  if (!s) return m && methodSpec(m.method).backend !== null ? "no stats line" : "-";
  const entries = Number.isFinite(s.kernelEntriesPerRep) ? s.kernelEntriesPerRep.toFixed(1) : "?";
  return `${s.backend}, ${entries} kernel entries/rep`;
}

function entriesColumn(r: MethodResult): string {
  if (r.kernelEntries === null) return "-";
  return r.kernelEntries >= 100 ? r.kernelEntries.toFixed(0) : r.kernelEntries.toFixed(2);
}

function resultRow(r: MethodResult, m: Measurement | undefined): string[] {
  return [
    r.method,
    r.where,
    fmt(r.perCall, r.unit),
    fmt(r.min, r.unit),
    fmt(r.max, r.unit),
    `${r.speedup.toFixed(2)}x`,
    entriesColumn(r),
    batchingColumn(m),
  ];
}

export function renderWorkloadTables(run: BenchRun): string {
  const out: string[] = [];
  for (const w of run.report.workloads) {
    out.push(`${w.name}: ${workloadSpec(w.name).describe(w.calls)}`);
    out.push("");
    const rows = w.results.map((r) =>
      resultRow(
        r,
        run.measurements.find(
          (m) =>
            m.workload === w.name &&
            m.calls === w.calls &&
            m.method === r.method &&
            m.where === r.where,
        ),
      ),
    );
    out.push(
      pipeTable(
        [
          "method",
          "where",
          "per call (median)",
          "min",
          "max",
          "plain / method",
          "kernel entries/rep (counted)",
          "preload backend (DBATCH_STATS)",
        ],
        rows,
        [false, false, true, true, true, true, true, false],
      ),
    );
    out.push("");
  }
  return out.join("\n");
}

/** Start-up against prettier: median and fastest of the timed calls. */
export function renderStartup(run: BenchRun): string {
  const s = run.startup;
  if (!s)
    return "start-up: not measured (--no-startup, --no-host, or not run through `dbatch bench`)";
  const rows = s.pairs.flatMap((p) => [
    [
      p.ours.command,
      `${p.ours.medianMs.toFixed(0)} ms`,
      `${p.ours.minMs.toFixed(0)} ms`,
      `${p.ratio.toFixed(2)}x`,
    ],
    [
      p.reference.command,
      `${p.reference.medianMs.toFixed(0)} ms`,
      `${p.reference.minMs.toFixed(0)} ms`,
      "",
    ],
  ]);
  const table = pipeTable(["command", `median of ${s.reps}`, "min", "reference / ours"], rows, [
    false,
    true,
    true,
    true,
  ]);
  const large = s.largeFile;
  if (!large) return table;
  const largeRows = large.runs.map((r) => [
    `dbatch-transform ${r.mode}`,
    `${r.seconds.toFixed(1)} s`,
    `${r.peakMb.toFixed(0)} MB`,
    `${r.ratio.toFixed(1)}x`,
  ]);
  return (
    `${table}\n\n` +
    pipeTable(
      [`on a ${large.mb.toFixed(1)} MB file`, "time", "peak memory", "peak / file"],
      largeRows,
      [false, true, true, true],
    )
  );
}

export function renderTargets(run: BenchRun): string {
  const rows = run.targets.map((t) => [
    t.verdict === "pass" ? "PASS" : t.verdict === "fail" ? "FAIL" : "NOT MEASURED",
    t.name,
    t.goal,
    t.measured,
  ]);
  return pipeTable(["target", "what", "goal", "this run"], rows, [false, false, false, false]);
}

function countValue(v: number | null): string {
  return v === null ? "not supported" : Math.round(v).toLocaleString("en-US");
}

export function renderCounters(run: BenchRun): string {
  const c = run.counters;
  if (!c) return "hardware counters: not measured (--no-perf or --no-host)";
  const out: string[] = [];
  if (c.rows.length > 0) {
    const rows = c.rows.map((r) => [
      r.method,
      r.ipc === null ? "not supported" : r.ipc.toFixed(2),
      ...counterEvents.slice(2).map((e) => countValue(r.values[e])),
    ]);
    out.push(`whole process, seed workload: \`${c.command}\``);
    out.push("");
    out.push(
      pipeTable(["method", "IPC", ...counterEvents.slice(2)], rows, [
        false,
        true,
        true,
        true,
        true,
        true,
      ]),
    );
    out.push("");
  }
  if (c.unsupportedReason !== null)
    out.push(`hardware counters not supported here: ${c.unsupportedReason}`);
  return out.join("\n");
}

/** What was not measured, grouped by place and reason, then the other notes. */
export function renderNotes(run: BenchRun): string {
  const groups = new Map<
    string,
    { where: string; reason: string; methods: Set<string>; workloads: Set<string> }
  >();
  for (const s of run.skipped) {
    const key = `${s.where}\u0000${s.reason}`;
    const g = groups.get(key) ?? {
      where: s.where,
      reason: s.reason,
      methods: new Set(),
      workloads: new Set(),
    };
    g.methods.add(s.method === "all" ? "all methods" : s.method);
    g.workloads.add(s.workload);
    groups.set(key, g);
  }
  const lines: string[] = [];
  for (const g of groups.values()) {
    const on = g.workloads.has("all") ? "" : ` on ${[...g.workloads].join(", ")}`;
    lines.push(`not measured: ${g.where} ${[...g.methods].join(", ")}${on}: ${g.reason}`);
  }
  lines.push(...run.notes);
  return lines.join("\n");
}

/** The --sweep fits: one row per workload, method and place. */
export function renderFits(run: BenchRun): string {
  const rows = (run.report.fits ?? []).map((f) => [
    f.workload,
    f.method,
    f.where,
    fmt(f.fixed, f.unit),
    fmt(f.perCall, f.unit),
    f.r2.toFixed(3),
  ]);
  return pipeTable(["workload", "method", "where", "fixed", "per call", "r2"], rows, [
    false,
    false,
    false,
    true,
    true,
    true,
  ]);
}

export function renderMethodLegend(run: BenchRun): string {
  const seen = new Set(run.report.workloads.flatMap((w) => w.results.map((r) => r.method)));
  return [...seen].map((m) => `- ${m}: ${methodSpec(m).describe}`).join("\n");
}

/** The whole report as text (what `dbatch bench` prints without --json). */
export function renderText(run: BenchRun): string {
  const parts = [
    `dbatch bench: ${run.callCounts.join(", ")} calls per repetition, ${run.reps} repetitions per method (each process first runs ${run.warmup} untimed); per call = median over repetitions; plain / method = speedup against plain in the same place of this run`,
    "",
    renderWorkloadTables(run),
    ...(run.report.fits
      ? [
          "cost per repetition = fixed + per call x calls (least squares over the sweep):",
          "",
          renderFits(run),
          "",
        ]
      : []),
    "start-up (host wall clock, interleaved with prettier):",
    "",
    renderStartup(run),
    "",
    "targets:",
    "",
    renderTargets(run),
    "",
    "hardware counters (the seed's perf table):",
    "",
    renderCounters(run),
  ];
  const notes = renderNotes(run);
  if (notes) parts.push("", notes);
  return parts.join("\n") + "\n";
}
