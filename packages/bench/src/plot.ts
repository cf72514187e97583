// `--plot out.svg`: the seed's figure (the spread of the repetitions' cost,
// one box per method, on a log scale so that a few slow repetitions do not
// flatten the rest) and bars of the per-call cost, drawn by vega-lite,
// rendered to SVG by vega's headless View (no browser, no canvas, no
// network: data inline).

import { View, parse } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { methodNames } from "./methods.ts";
import type { BenchRun } from "./run.ts";
import type { MethodName, Where } from "./types.ts";

interface LinePoint {
  method: string;
  repetition: number;
  cost: number;
}

interface BarPoint {
  workload: string;
  method: string;
  perCall: number;
  speedup: number;
}

/** The place the per-repetition figure is drawn for: the host when measured there. */
function figureWhere(run: BenchRun): Where | null {
  const seed = run.measurements.filter(
    (m) => m.workload === "seed" && m.calls === plottedCalls(run),
  );
  if (seed.some((m) => m.where === "host")) return "host";
  if (seed.some((m) => m.where === "vm")) return "vm";
  return null;
}

/** The call count a plot shows: 60 (the seed's) when measured, else the largest. */
function plottedCalls(run: BenchRun): number {
  return run.callCounts.includes(60) ? 60 : Math.max(...run.callCounts);
}

/** One colour per method, the same in every run and panel. */
const methodColours: Record<MethodName, string> = {
  plain: "#4c78a8",
  off: "#9d755d",
  emulate: "#f58518",
  uring: "#e45756",
  "uring-always": "#ff9d9a",
  kmod: "#72b7b2",
  "kmod-always": "#2f6f6b",
  writev: "#54a24b",
  record: "#b279a2",
  ioctl: "#eeca3b",
  liburing: "#ff9da6",
};

export function plotSpec(run: BenchRun): TopLevelSpec {
  const present = new Set(run.measurements.map((m) => m.method));
  const methodOrder = methodNames.filter((m) => present.has(m));
  const colour = {
    field: "method",
    type: "nominal",
    sort: methodOrder,
    title: "method",
    scale: { domain: methodOrder, range: methodOrder.map((m) => methodColours[m]) },
  } as const;
  const panels: TopLevelSpec[] = [];
  const where = figureWhere(run);
  if (where !== null) {
    const seed = run.measurements.filter(
      (m) => m.workload === "seed" && m.where === where && m.calls === plottedCalls(run),
    );
    const calls = seed[0]?.calls ?? 0;
    const points: LinePoint[] = seed.flatMap((m) =>
      m.perRep.map((cost, i) => ({
        method: m.method,
        repetition: i + 1,
        cost: where === "host" ? cost / 1000 : cost,
      })),
    );
    panels.push({
      title: `seed: ${calls} x write(12 B) to /dev/null, cost of the repetitions (${where}; box: quartiles, whiskers: 1.5 IQR, dots: outliers)`,
      width: Math.max(320, 70 * methodOrder.length),
      height: 280,
      data: { values: points },
      mark: { type: "boxplot", extent: 1.5, size: 28 },
      encoding: {
        x: { field: "method", type: "nominal", sort: methodOrder, title: null },
        y: {
          field: "cost",
          type: "quantitative",
          title:
            where === "host" ? `µs per ${calls} calls` : `guest instructions per ${calls} calls`,
          scale: { type: "log" },
        },
        color: colour,
      },
    } as TopLevelSpec);
  }
  for (const place of ["host", "vm"] as const) {
    const bars: BarPoint[] = run.report.workloads
      .filter((w) => w.calls === plottedCalls(run))
      .flatMap((w) =>
        w.results
          .filter((r) => r.where === place)
          .map((r) => ({
            workload: w.name,
            method: r.method,
            perCall: r.perCall,
            speedup: r.speedup,
          })),
      );
    if (bars.length === 0) continue;
    const unitTitle = place === "host" ? "ns per call" : "instructions per call";
    panels.push({
      title:
        place === "host"
          ? "cost per call on the host (median ns; labels: speedup = plain / method; each workload on its own scale)"
          : "cost per call in the VM (guest instructions, -icount shift=0; labels: plain / method)",
      data: { values: bars },
      facet: {
        column: {
          field: "workload",
          type: "nominal",
          title: null,
          sort: run.report.workloads.map((w) => w.name),
        },
      },
      spec: {
        // room for each bar's label: they must not overlap
        width: Math.max(130, 34 * methodOrder.length),
        height: 200,
        layer: [
          {
            mark: "bar",
            encoding: {
              x: { field: "method", type: "nominal", sort: methodOrder, title: null },
              y: { field: "perCall", type: "quantitative", title: unitTitle },
              color: colour,
            },
          },
          {
            mark: { type: "text", dy: -6, fontSize: 9, limit: 32 },
            encoding: {
              x: { field: "method", type: "nominal", sort: methodOrder },
              y: { field: "perCall", type: "quantitative" },
              text: { field: "speedup", type: "quantitative", format: ".1f" },
            },
          },
        ],
      },
      resolve: { scale: { x: "independent", y: "independent" } },
    } as TopLevelSpec);
  }
  if (panels.length === 0) throw new Error("nothing measured, nothing to plot");
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    background: "white",
    padding: 12,
    vconcat: panels,
    resolve: { scale: { color: "shared" } },
  } as TopLevelSpec;
}

export async function renderPlot(run: BenchRun): Promise<string> {
  const vegaSpec = compile(plotSpec(run)).spec;
  const view = new View(parse(vegaSpec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
