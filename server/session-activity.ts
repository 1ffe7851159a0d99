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

/** Rows older than this without an end time are a cartridge killed before it could write one, not a live session (one day). */
const LIVE_WITHIN_MS = 86_400_000;

/** Reads live sessions and the last `failures` failures from the session log at `dbPath`. */
export async function readSessionActivity(dbPath: string, now = Date.now(), failures = 5): Promise<{ sessions: LiveSession[]; failures: RecentFailure[]; problem?: string }> {
  if (!existsSync(dbPath)) return { sessions: [], failures: [] };
  const { openSessionLog } = await import('../../core/session-log/index.ts');
  let log;
  try {
    log = openSessionLog(dbPath, { readonly: true });
  } catch (error) {
    return { sessions: [], failures: [], problem: (error as Error).message };
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
    return { sessions, failures: recent };
  } finally {
    log.close();
  }
}
