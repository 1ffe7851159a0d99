/** `plexbeam analyze --detail SESSION_ID`: everything recorded for one session, argv included. */
import type Database from 'better-sqlite3';
import { PlexBeamError } from '../core/errors.ts';
import type { SessionLog, SessionRow } from '../core/session-log/index.ts';
import { SESSION_COLUMNS } from '../core/session-log/session-columns.ts';
import { ENDED_BY_TEXT, FALLBACK_REASON_TEXT, isFallbackReason } from '../core/session-log/endings.ts';
import { sessionResumes } from './resumes.ts';
import { STOP_SIGNALS, isoTime } from './session-sql.ts';
import type { ResumeJson } from './types.ts';

/** `--detail --json`: the row under its column names, times as ISO text, plus derived timings. */
export interface SessionDetail {
  session: Record<string, unknown> & {
    outcome: 'ok' | 'stopped' | 'failed' | 'worker-lost' | 'unfinished';
    /** What ended_by and fallback_reason mean, in words (null when not recorded). */
    ended_by_text: string | null;
    fallback_reason_text: string | null;
    duration_ms: number | null;
    dispatch_ms: number | null;
    first_segment_ms: number | null;
  };
  /** The times it lost its worker mid-play and went on elsewhere, oldest first ([] when none). */
  resumes: ResumeJson[];
}

const TIME_FIELDS = new Set(['startedAt', 'dispatchAt', 'firstSegmentAt', 'endedAt']);
const PREFIX_MIN = 4;

/** Finds a session by its id, or by a unique prefix of at least 4 characters; throws SESSION_NOT_FOUND or USAGE. */
export function findSession(log: Pick<SessionLog, 'db' | 'getSession' | 'path'>, id: string): SessionRow {
  const exact = log.getSession(id);
  if (exact !== undefined) return exact;
  const prefix = id.trim().toLowerCase();
  if (prefix.length >= PREFIX_MIN) {
    const matches = log.db.prepare<[string, string], string>('SELECT id FROM sessions WHERE id >= ? AND id < ? ORDER BY id LIMIT 3').pluck().all(prefix, `${prefix}\uffff`);
    if (matches.length === 1) return log.getSession(matches[0] as string) as SessionRow;
    if (matches.length > 1) {
      throw new PlexBeamError('USAGE', `session id prefix "${id}" matches more than one session (${matches.slice(0, 2).join(', ')} …); give more of it`);
    }
  }
  throw new PlexBeamError('SESSION_NOT_FOUND', `no session ${JSON.stringify(id)} in ${log.path}; \`plexbeam analyze --patterns\` shows example session ids`);
}

/** The detail of one session: every column (snake_case), its derived timings, and its resumes (read from `db`). */
export function sessionDetail(row: SessionRow, db?: Database.Database): SessionDetail {
  const session: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(SESSION_COLUMNS)) {
    const value = (row as unknown as Record<string, unknown>)[field];
    session[column] = TIME_FIELDS.has(field) ? isoTime(value as number | null) : value;
  }
  const since = (at: number | null) => (at === null ? null : at - row.startedAt);
  return {
    session: {
      ...session,
      outcome: outcomeOf(row),
      ended_by_text: row.endedBy !== null && Object.hasOwn(ENDED_BY_TEXT, row.endedBy) ? ENDED_BY_TEXT[row.endedBy] : null,
      fallback_reason_text: isFallbackReason(row.fallbackReason) ? FALLBACK_REASON_TEXT[row.fallbackReason] : null,
      duration_ms: since(row.endedAt),
      dispatch_ms: since(row.dispatchAt),
      first_segment_ms: since(row.firstSegmentAt),
    },
    resumes: db === undefined ? [] : sessionResumes(db, row.id),
  };
}

/** The same outcome rules the summary applies in SQL (session-sql.ts's OUTCOME_AGGREGATES). */
export function outcomeOf(row: Pick<SessionRow, 'endedAt' | 'signal' | 'exitCode' | 'endedBy'>): SessionDetail['session']['outcome'] {
  if (row.endedAt === null) return 'unfinished';
  if (row.endedBy === 'plex-stop') return 'stopped';
  if (row.endedBy === 'worker-lost') return 'worker-lost';
  if (row.endedBy !== null && row.endedBy !== 'exit') return 'failed';
  // A row from before schema version 3: a death by a stop signal was Plex's stop.
  if (row.endedBy === null && row.signal !== null && (STOP_SIGNALS as readonly string[]).includes(row.signal)) return 'stopped';
  return row.signal === null && row.exitCode === 0 ? 'ok' : 'failed';
}
