// Order statistics over repetitions.

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const upper = sorted[mid] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] as number) + upper) / 2;
}

export function minimum(values: readonly number[]): number {
  if (values.length === 0) throw new Error("minimum of no values");
  return Math.min(...values);
}

export function maximum(values: readonly number[]): number {
  if (values.length === 0) throw new Error("maximum of no values");
  return Math.max(...values);
}

export interface Summary {
  min: number;
  median: number;
  max: number;
}

/** min, median and max of the repetitions, each divided by the calls per repetition. */
export function perCallSummary(perRep: readonly number[], calls: number): Summary {
  return {
    min: minimum(perRep) / calls,
    median: median(perRep) / calls,
    max: maximum(perRep) / calls,
  };
}
