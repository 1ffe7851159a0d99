/**
 * The `resume` event: a transcode that lost its worker mid-play and went on elsewhere (the
 * cartridge writes it; `plexbeam analyze` reads it). One event per resume, in the `events` table.
 */
import type { EventInput, EventRow } from './session-log/types.ts';

/** Why a job was resumed elsewhere. */
export type ResumeReason = 'worker-lost' | 'worker-failed' | 'handed-back';

/** What a resume event records (stored as the event's `details`). */
export interface ResumeDetails {
  /** The session (the sessions table's `id`) that went on. */
  sessionId: string;
  /** The worker it lost (name, else URL). */
  from: string;
  /** Where it went on: a worker's name or URL, or `local` for Plex's own transcoder. */
  to: string;
  /** The first segment number the resumed run wrote (the first one Plex did not have). */
  segment: number;
  /** The media time (seconds) the resumed run started at. */
  at: number;
  reason: ResumeReason;
  /** The worker's error or the link's failure, in words. */
  error: string | null;
  /** From the last segment Plex had to the resumed run's first one (ms); null when none came. */
  gapMs: number | null;
}

/** The event row input for one resume. */
export function resumeEvent(details: ResumeDetails, at = Date.now()): EventInput {
  return {
    at,
    source: 'cartridge',
    type: 'resume',
    message: `resumed at segment ${details.segment} on ${details.to} after ${details.from} ${details.reason === 'handed-back' ? 'handed the job back' : details.reason === 'worker-lost' ? 'was lost' : 'failed'}`,
    details,
  };
}

/** The details of a stored resume event, or null when `row` is not one (or is malformed). */
export function resumeDetailsOf(row: EventRow): ResumeDetails | null {
  if (row.type !== 'resume' || typeof row.details !== 'object' || row.details === null) return null;
  const d = row.details as Partial<ResumeDetails>;
  if (typeof d.sessionId !== 'string' || typeof d.from !== 'string' || typeof d.to !== 'string' || typeof d.segment !== 'number') return null;
  return {
    sessionId: d.sessionId,
    from: d.from,
    to: d.to,
    segment: d.segment,
    at: typeof d.at === 'number' ? d.at : 0,
    reason: d.reason === 'handed-back' || d.reason === 'worker-failed' ? d.reason : 'worker-lost',
    error: typeof d.error === 'string' ? d.error : null,
    gapMs: typeof d.gapMs === 'number' ? d.gapMs : null,
  };
}
