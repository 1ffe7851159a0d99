/** SQL shared by the views: the analyze indexes (migration 2), outcome rules, time and rounding helpers. */
import { seconds } from '../core/feasibility/sql.ts';
import type { DecisionCounts, Durations, Outcomes } from './types.ts';

export { INDEX, isoTime, seconds, shareOf, sinceParam } from '../core/feasibility/sql.ts';

/** Signals Plex stops a transcode with: on rows from before `ended_by`, a death by one counts as a stop. */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGKILL'] as const;
// `signal = 'A' OR signal = 'B' …` in COUNT(CASE … THEN ended_at END): measured a third faster
// than SUM(ended_at IS NOT NULL AND signal IN (…)) over a million rows.
const IS_STOP = STOP_SIGNALS.map((s) => `signal = '${s}'`).join(' OR ');
// Rows before schema version 3 have no ended_by: the exit code and signal alone decide. Since,
// Plex's stop is `plex-stop` (the transcoder exits 255 after SIGTERM); a transcoder that dies of
// a signal Plex did not send the cartridge (the OOM killer's SIGKILL) has failed.
const BY_EXIT = `(ended_by IS NULL OR ended_by = 'exit')`;

/**
 * Outcome counters as SQL aggregates (the same rules as detail.ts's outcomeOf). unfinished: no
 * ended_at; stopped: ended_by `plex-stop` (before it: died of a stop signal); worker_lost:
 * ended_by `worker-lost`; ok: the transcode exited 0; failed: every other ended session.
 */
export const OUTCOME_AGGREGATES = `COUNT(ended_at) AS ended,
  COUNT(CASE WHEN ended_by = 'plex-stop' OR (ended_by IS NULL AND (${IS_STOP})) THEN ended_at END) AS stopped,
  COUNT(CASE WHEN exit_code = 0 AND signal IS NULL AND ${BY_EXIT} THEN ended_at END) AS ok,
  COUNT(CASE WHEN ended_by = 'worker-lost' THEN ended_at END) AS lost,
  TOTAL(ended_at - started_at) AS duration_ms, MAX(ended_at - started_at) AS max_duration_ms`;

/** Running totals of one group of sessions, summed from aggregate rows. */
export interface Tally {
  count: number;
  ended: number;
  stopped: number;
  ok: number;
  lost: number;
  durationMs: number;
  maxDurationMs: number | null;
  byDecision: DecisionCounts;
}

/** An empty tally. */
export function createTally(): Tally {
  return { count: 0, ended: 0, stopped: 0, ok: 0, lost: 0, durationMs: 0, maxDurationMs: null, byDecision: { remote: 0, local: 0, fallback: 0 } };
}

/** Adds one aggregate row's numbers to `tally`. */
export function addToTally(tally: Tally, decision: string | null, row: Omit<Tally, 'byDecision'>): void {
  tally.count += row.count;
  tally.ended += row.ended;
  tally.stopped += row.stopped;
  tally.ok += row.ok;
  tally.lost += row.lost;
  tally.durationMs += row.durationMs;
  if (row.maxDurationMs !== null) tally.maxDurationMs = Math.max(tally.maxDurationMs ?? row.maxDurationMs, row.maxDurationMs);
  if (decision === 'remote' || decision === 'local' || decision === 'fallback') tally.byDecision[decision] += row.count;
}

/** The Outcomes of a tally. */
export function outcomesOf(tally: Tally): Outcomes {
  const failed = tally.ended - tally.stopped - tally.ok - tally.lost;
  const rate = (n: number) => (tally.ended > 0 ? Math.round((n / tally.ended) * 10_000) / 10_000 : null);
  return {
    ok: tally.ok,
    stopped: tally.stopped,
    failed,
    worker_lost: tally.lost,
    unfinished: tally.count - tally.ended,
    success_rate: rate(tally.ok + tally.stopped),
    failure_rate: rate(failed + tally.lost),
  };
}

/** The Durations of a tally. */
export function durationsOf(tally: Tally): Durations {
  return {
    count: tally.ended,
    total_s: seconds(tally.durationMs),
    mean_s: tally.ended > 0 ? seconds(tally.durationMs / tally.ended) : null,
    max_s: tally.maxDurationMs === null ? null : seconds(tally.maxDurationMs),
  };
}
