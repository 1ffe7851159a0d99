/** First-segment latency percentiles per decision, read off the latency index without sorting. */
import type Database from 'better-sqlite3';
import { INDEX, sinceParam } from './session-sql.ts';
import type { Decision, LatencyPercentiles } from './types.ts';

const PERCENTILES = [
  ['p50_ms', 0.5],
  ['p90_ms', 0.9],
  ['p95_ms', 0.95],
  ['p99_ms', 0.99],
] as const;

/** Prepared statements for `latencyPercentiles`; create once per database. */
export interface LatencyQueries {
  counts: Database.Statement<[number], [string, number]>;
  nth: Database.Statement<[string, number, number], number>;
  nthFromTop: Database.Statement<[string, number, number], number>;
}

const LATENCY = 'first_segment_at - started_at';
const FROM = `FROM sessions INDEXED BY ${INDEX.latency} WHERE first_segment_at IS NOT NULL AND started_at >= ?`;

/** Prepares the latency statements. The expression must match the index's exactly. */
export function prepareLatencyQueries(db: Database.Database): LatencyQueries {
  return {
    counts: db.prepare<[number], [string, number]>(`SELECT decision, COUNT(*) ${FROM} AND decision IS NOT NULL GROUP BY decision`).raw(),
    // The index walks in latency order; OFFSET k skips k entries without visiting the table.
    nth: db.prepare<[string, number, number], number>(`SELECT ${LATENCY} FROM sessions INDEXED BY ${INDEX.latency} WHERE decision = ? AND first_segment_at IS NOT NULL AND started_at >= ? ORDER BY ${LATENCY} LIMIT 1 OFFSET ?`).pluck(),
    nthFromTop: db.prepare<[string, number, number], number>(`SELECT ${LATENCY} FROM sessions INDEXED BY ${INDEX.latency} WHERE decision = ? AND first_segment_at IS NOT NULL AND started_at >= ? ORDER BY ${LATENCY} DESC LIMIT 1 OFFSET ?`).pluck(),
  };
}

/** Nearest-rank percentiles (the value at rank ⌈p·n⌉) of each decision's sessions since `since`. */
export function latencyPercentiles(queries: LatencyQueries, since: number | null): Record<Decision, LatencyPercentiles> {
  const at = sinceParam(since);
  const counts = new Map(queries.counts.all(at));
  const result = {} as Record<Decision, LatencyPercentiles>;
  for (const decision of ['remote', 'local', 'fallback'] as const) {
    const count = counts.get(decision) ?? 0;
    const row: LatencyPercentiles = { count, p50_ms: null, p90_ms: null, p95_ms: null, p99_ms: null, max_ms: null };
    if (count > 0) {
      // Walk from whichever end is nearer: p99 of n rows is n/100 steps from the top.
      const valueAt = (rank: number) => (rank <= count / 2 ? queries.nth.get(decision, at, rank - 1) : queries.nthFromTop.get(decision, at, count - rank)) ?? null;
      for (const [field, p] of PERCENTILES) row[field] = valueAt(nearestRank(p, count));
      row.max_ms = valueAt(count);
    }
    result[decision] = row;
  }
  return result;
}

/** ⌈p·n⌉, at least 1; the epsilon keeps 0.9 × 10 (9.000000000000002 in floating point) at 9. */
export function nearestRank(p: number, n: number): number {
  return Math.max(1, Math.ceil(p * n - 1e-9));
}
