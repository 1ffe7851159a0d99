/** Live sessions and the last failures, from the session log (read-only; absent log: none). */
import { existsSync } from 'node:fs';

/** A session still running (no end time, started within the last day). */
export interface LiveSession {
  id: string;
  startedAt: number;
  client: string | null;
  decision: string | null;
  worker: string | null;
  kind: string;
  firstSegmentAt: number | null;
}

/** A recent fallback or failed session, with its reason. */
export interface RecentFailure {
  id: string;
  startedAt: number;
  decision: string | null;
  worker: string | null;
  fallbackReason: string | null;
  reason: string | null;
  error: string | null;
}

/** Sessions started in one hour of the last day, by decision (the dashboard's chart). */
export interface HourCount {
  /** The hour's start, ms since the epoch. */
  hour: number;
  remote: number;
  local: number;
  fallback: number;
}

/** What the session log says now. */
export interface SessionActivity {
  sessions: LiveSession[];
  failures: RecentFailure[];
  hours: HourCount[];
  problem?: string;
}

const HOUR_MS = 3_600_000;

/** Rows older than this without an end time are a cartridge killed before it could write one, not a live session (one day). */
const LIVE_WITHIN_MS = 86_400_000;

/** Reads live sessions and the last `failures` failures from the session log at `dbPath`. */
export async function readSessionActivity(dbPath: string, now = Date.now(), failures = 5): Promise<SessionActivity> {
  const firstHour = Math.floor(now / HOUR_MS) * HOUR_MS - 23 * HOUR_MS;
  const hours: HourCount[] = Array.from({ length: 24 }, (_v, i) => ({ hour: firstHour + i * HOUR_MS, remote: 0, local: 0, fallback: 0 }));
  if (!existsSync(dbPath)) return { sessions: [], failures: [], hours };
  const { openSessionLog } = await import('../core/session-log/index.ts');
  let log;
  try {
    log = openSessionLog(dbPath, { readonly: true });
  } catch (error) {
    return { sessions: [], failures: [], hours, problem: (error as Error).message };
  }
  try {
    const sessions = log.db
      .prepare(`SELECT id, started_at AS startedAt, client, decision, worker, kind, first_segment_at AS firstSegmentAt FROM sessions
        WHERE ended_at IS NULL AND started_at >= ? AND kind NOT IN ('capability-query') ORDER BY started_at DESC LIMIT 50`)
      .all(now - LIVE_WITHIN_MS) as LiveSession[];
    const recent = log.db
      .prepare(`SELECT id, started_at AS startedAt, decision, worker, fallback_reason AS fallbackReason, reason, error FROM sessions
        WHERE decision = 'fallback' OR (error IS NOT NULL AND error != '') ORDER BY started_at DESC LIMIT ?`)
      .all(failures) as RecentFailure[];
    const counts = log.db
      .prepare(`SELECT (started_at / ${HOUR_MS}) * ${HOUR_MS} AS hour, decision, COUNT(*) AS n FROM sessions
        WHERE started_at >= ? AND decision IN ('remote', 'local', 'fallback') GROUP BY hour, decision`)
      .all(firstHour) as { hour: number; decision: 'remote' | 'local' | 'fallback'; n: number }[];
    for (const c of counts) {
      const slot = hours.find((h) => h.hour === c.hour);
      if (slot !== undefined) slot[c.decision] += c.n;
    }
    return { sessions, failures: recent, hours };
  } finally {
    log.close();
  }
}
