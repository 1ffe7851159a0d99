/** The session log's analyze indexes (migration 2) and the time and rounding helpers the reports share. */

/** Index names from core/session-log/migrations.ts; `INDEXED BY` them so the plan never falls back to the table. */
export const INDEX = {
  summary: 'sessions_analyze_summary',
  feasibility: 'sessions_analyze_feasibility',
  fallbacks: 'sessions_analyze_fallbacks',
  latency: 'sessions_analyze_latency',
  patterns: 'sessions_analyze_patterns',
} as const;

/** `started_at >= ?` bound value: the --since time, or the smallest integer. */
export function sinceParam(since: number | null): number {
  return since ?? Number.MIN_SAFE_INTEGER;
}

/** ISO 8601 text of a time in ms, or null. */
export function isoTime(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

/** A share 0..1 rounded to 4 decimals (0 when the whole is 0). */
export function shareOf(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0;
}

/** Seconds from ms, rounded to 0.1 s. */
export function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}
