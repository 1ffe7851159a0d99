/** Summaries of benchmark samples: median and spread (min–max), never a mean (outliers are the norm on a busy machine). */

/** A set of samples reduced to what the table shows. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  /** Number of samples. */
  runs: number;
  /** The samples in the order they were taken (kept for the JSON file). */
  samples: number[];
}

/** The `q` quantile (0…1) of `values`, interpolated between neighbours; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (at - low);
}

/** Median and min–max of `samples`; throws on an empty list (a case that produced nothing is an error, not a zero). */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('no samples to summarize');
  return { median: quantile(samples, 0.5), min: Math.min(...samples), max: Math.max(...samples), runs: samples.length, samples: [...samples] };
}

/** Per-run ratios `measured[i] / baseline[i]` of interleaved runs (pairs taken side by side drift together). */
export function pairedRatios(measured: readonly number[], baseline: readonly number[]): number[] {
  const n = Math.min(measured.length, baseline.length);
  return Array.from({ length: n }, (_, i) => (measured[i] as number) / (baseline[i] as number));
}
