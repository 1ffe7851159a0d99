/**
 * Row 14's reading of a failover run (bench/failover.ts): when the fake PMS heard of each segment
 * in the streamed CSV list, the gap across the worker's loss against the run's normal interval,
 * and which segment numbers are missing or were delivered twice. The failover tests read their
 * runs with it too (test/cartridge/failover-cases.ts).
 */
import type { RecordedRequest } from '../test/harness/index.ts';
import { summarize } from './stats.ts';

/** When the fake PMS first heard of each segment number in the CSV list bodies, and each number's rows (a number listed with two rows was delivered twice). */
export function listedTimes(requests: readonly RecordedRequest[]): { at: Map<number, number>; rows: Map<number, Set<string>> } {
  const at = new Map<number, number>();
  const rows = new Map<number, Set<string>>();
  for (const r of requests) {
    let text = '';
    for (const chunk of r.chunks) {
      text += chunk.data.toString('utf8');
      for (const [row, number] of text.matchAll(/^media-(\d+)\.ts,[^\n]*\n/gm)) {
        const n = Number(number);
        if (!at.has(n)) at.set(n, chunk.time);
        rows.set(n, (rows.get(n) ?? new Set<string>()).add(row.trim()));
      }
    }
  }
  return { at, rows };
}

/** What one run found: the gap across the kill, the normal interval, and what was missing or duplicated. */
export interface FailoverRun {
  gapMs: number;
  intervalMs: number;
  lastBefore: number;
  missing: number[];
  duplicated: number[];
}

/** Reads a run's result from the list times, the kill time and the segment files on disk. */
export function readRun(times: ReturnType<typeof listedTimes>, killedAt: number, onDisk: readonly number[]): FailoverRun {
  const numbers = [...times.at.keys()].sort((a, b) => a - b);
  const last = Math.max(...numbers, ...onDisk);
  const all = Array.from({ length: last + 1 }, (_, i) => i);
  const missing = all.filter((n) => !times.at.has(n) || !onDisk.includes(n));
  const duplicated = numbers.filter((n) => (times.rows.get(n)?.size ?? 0) > 1);
  const lastBefore = Math.max(...numbers.filter((n) => (times.at.get(n) as number) <= killedAt));
  const gaps = numbers.slice(1).map((n, i) => ({ after: numbers[i] as number, ms: (times.at.get(n) as number) - (times.at.get(numbers[i] as number) as number) }));
  const across = gaps.find((g) => g.after === lastBefore);
  if (across === undefined) throw new Error(`no segment listed after ${lastBefore}: ${numbers.join(' ')}`);
  const others = gaps.filter((g) => g !== across).map((g) => g.ms);
  return { gapMs: across.ms, intervalMs: summarize(others).median, lastBefore, missing, duplicated };
}
