// A row is only as honest as its backend: the preload library says which one
// it really ran (DBATCH_STATS=1), and that must be the one asked for.

import { methodSpec } from "./methods.ts";
import type { Measurement, Skipped } from "./types.ts";

/**
 * A preload method whose library ran another backend (e.g. kmod requested,
 * emulate used because /dev/batch did not work) does not measure that method:
 * its row is dropped and said so, rather than shown under the wrong name.
 */
export function dropFallbacks(
  measurements: readonly Measurement[],
  skipped: Skipped[],
): Measurement[] {
  return measurements.filter((m) => {
    const wanted = methodSpec(m.method).backend;
    const stats = m.preloadStats;
    if (wanted === null || m.method === "record") return true;
    if (stats === null) {
      skipped.push({
        where: m.where,
        method: m.method,
        workload: m.workload,
        reason:
          "the preload library printed no DBATCH_STATS line, so the backend it used is unknown",
      });
      return false;
    }
    if (stats.backend === wanted) return true;
    skipped.push({
      where: m.where,
      method: m.method,
      workload: m.workload,
      reason: `DBATCH_BACKEND=${wanted} was asked for but the preload library ran backend=${stats.backend} (a fallback)`,
    });
    return false;
  });
}
