/** What every benchmark row reports, whatever it measures. */
import { formatNumber } from './table.ts';
import { summarize } from './stats.ts';

/** One measured case: its median and spread in `unit` (ms, s, …), and the samples when known. */
export interface Measurement {
  label: string;
  unit: string;
  median: number;
  /** `min–max` of the samples, or `IQR x` where only that is known; null for a single run. */
  spread: string | null;
  runs: number;
  samples?: number[];
}

/** A measurement from raw samples: median and min–max. */
export function measured(label: string, unit: string, samples: readonly number[]): Measurement {
  const s = summarize(samples);
  const spread = s.runs > 1 ? `${formatNumber(s.min, unit)}–${formatNumber(s.max, unit)}` : null;
  return { label, unit, median: s.median, spread, runs: s.runs, samples: s.samples };
}

/** One line of the table. */
export interface BenchRow {
  /** The row number, with a letter for sub-rows ("3b"). */
  id: string;
  name: string;
  /** What it is compared with; null when the row has no baseline. */
  baseline: Measurement | null;
  /** What PlexBeam costs; null when the row could not be measured. */
  measured: Measurement | null;
  /** The result the goal is about: a ratio, a percentage or a value, with its own spread when it has one. */
  result: { text: string; value: number | null; spread: string | null };
  goal: string;
  /** true: goal met; false: missed; null: no goal, or not measured. */
  pass: boolean | null;
  /** Why the row is n/a, or what the reader must know to read it. */
  note?: string;
}

/** A result that is the median of per-run ratios, `1.23× <what>` with their min–max. */
export function ratioResult(ratios: readonly number[], what: string): BenchRow['result'] {
  const s = summarize(ratios);
  return { text: `${s.median.toFixed(2)}× ${what}`, value: s.median, spread: s.runs > 1 ? `${s.min.toFixed(2)}–${s.max.toFixed(2)}` : null };
}

/** A row that could not be measured, and why (never a made-up number). */
export function notAvailable(id: string, name: string, goal: string, reason: string): BenchRow {
  return { id, name, baseline: null, measured: null, result: { text: 'n/a', value: null, spread: null }, goal, pass: null, note: `n/a: ${reason}` };
}

/** Options every row family takes. */
export interface RowOptions {
  /** Fewer runs (a smoke run, not a figure to publish). */
  quick: boolean;
  /** Progress lines go here (stderr), so stdout holds only the table. */
  say(line: string): void;
}
