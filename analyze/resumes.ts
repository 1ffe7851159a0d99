/**
 * Resumes (core/resume-event.ts): transcodes that lost their worker mid-play and went on
 * elsewhere, per worker lost, with the worst gap Plex saw; and one session's resumes for `--detail`.
 */
import type Database from 'better-sqlite3';
import { resumeDetailsOf, type ResumeDetails, type ResumeReason } from '../core/resume-event.ts';
import type { EventRow } from '../core/session-log/types.ts';
import { isoTime, sinceParam } from './session-sql.ts';
import type { ResumeJson, ResumesSummary, ResumeWorker } from './types.ts';

const REASONS: readonly ResumeReason[] = ['worker-lost', 'worker-failed', 'handed-back'];

/** Every resume event at or after `since` (all when null), oldest first, with its time. */
function resumeEvents(db: Database.Database, since: number | null, sessionId?: string): { at: number; details: ResumeDetails }[] {
  // The events table is small (one row per resume, update, reinstall): read its resume rows whole.
  const rows = db
    .prepare<[number], { at: number; details: string | null }>(`SELECT at, details FROM events WHERE type = 'resume' AND at >= ? ORDER BY at, id`)
    .all(sinceParam(since));
  const found: { at: number; details: ResumeDetails }[] = [];
  for (const row of rows) {
    let parsed: unknown;
    try {
      parsed = row.details === null ? null : JSON.parse(row.details);
    } catch {
      continue;
    }
    const details = resumeDetailsOf({ type: 'resume', details: parsed } as EventRow);
    if (details !== null && (sessionId === undefined || details.sessionId === sessionId)) found.push({ at: row.at, details });
  }
  return found;
}

/** The resumes since `since`, per worker lost (most resumes first): by reason, worst gap, where they went. */
export function summarizeResumes(db: Database.Database, since: number | null): ResumesSummary {
  const byWorker = new Map<string, { resumes: number; sessions: Set<string>; reasons: Record<ResumeReason, number>; gaps: number[]; to: Map<string, number> }>();
  const sessions = new Set<string>();
  for (const { details } of resumeEvents(db, since)) {
    sessions.add(details.sessionId);
    let entry = byWorker.get(details.from);
    if (entry === undefined) {
      entry = { resumes: 0, sessions: new Set(), reasons: { 'worker-lost': 0, 'worker-failed': 0, 'handed-back': 0 }, gaps: [], to: new Map() };
      byWorker.set(details.from, entry);
    }
    entry.resumes += 1;
    entry.sessions.add(details.sessionId);
    entry.reasons[details.reason] += 1;
    if (details.gapMs !== null) entry.gaps.push(details.gapMs);
    entry.to.set(details.to, (entry.to.get(details.to) ?? 0) + 1);
  }
  const workers: ResumeWorker[] = [...byWorker].map(([worker, e]) => ({
    worker,
    resumes: e.resumes,
    sessions: e.sessions.size,
    by_reason: Object.fromEntries(REASONS.map((r) => [r, e.reasons[r]])) as Record<ResumeReason, number>,
    worst_gap_ms: e.gaps.length === 0 ? null : Math.max(...e.gaps),
    to: [...e.to].map(([to, count]) => ({ to, count })).sort((a, b) => b.count - a.count || a.to.localeCompare(b.to)),
  }));
  workers.sort((a, b) => b.resumes - a.resumes || a.worker.localeCompare(b.worker));
  const gaps = workers.flatMap((w) => (w.worst_gap_ms === null ? [] : [w.worst_gap_ms]));
  return {
    total: workers.reduce((n, w) => n + w.resumes, 0),
    sessions: sessions.size,
    worst_gap_ms: gaps.length === 0 ? null : Math.max(...gaps),
    by_worker: workers,
  };
}

/** One session's resumes, oldest first (`--detail`). */
export function sessionResumes(db: Database.Database, sessionId: string): ResumeJson[] {
  return resumeEvents(db, null, sessionId).map(({ at, details }) => ({
    at: isoTime(at) as string,
    from: details.from,
    to: details.to,
    segment: details.segment,
    media_s: details.at,
    reason: details.reason,
    error: details.error,
    gap_ms: details.gapMs,
  }));
}
