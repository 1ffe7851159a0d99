/** The fleet report `plexbeam status --json` prints and the dashboard serves: workers, live sessions, failures. */
import type { WorkerEntry } from '../core/config.ts';
import type { FleetWorker } from '../core/fleet-cache.ts';
import type { FleetView } from './fleet-view.ts';
import type { LiveSession, SessionActivity } from './session-activity.ts';

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

/** The configured entry a cached worker comes from: by URL, or its DNS pool. */
function entryOf(w: FleetWorker, entries: readonly WorkerEntry[]): WorkerEntry | undefined {
  return entries.find((e) => (w.pool !== undefined ? e.dns === w.pool : e.url === w.url));
}

/** One worker as the report shows it (snake_case, times as ISO strings); `storage` is its entry's (`workers[].storage`). */
export function reportWorker(w: FleetWorker, entries: readonly WorkerEntry[] = []) {
  const storage = entryOf(w, entries)?.storage ?? 'auto';
  return {
    name: w.name, url: w.url, up: w.up, since: new Date(w.since).toISOString(), checked_at: new Date(w.checkedAt).toISOString(),
    draining: w.draining, backend: w.health?.hwaccel ?? null, encoders: w.health?.encoders ?? [], jobs: w.health?.jobs ?? null,
    version: w.health?.version ?? null, last_error: w.lastError, last_error_at: iso(w.lastErrorAt),
    failed_jobs: w.failedJobs, last_failure_at: iso(w.lastFailureAt), storage, ...(w.pool === undefined ? {} : { pool: w.pool }),
  };
}

/** A live session with what its worker's last `/health` says of its job: speed, output position, last segment (null when unknown). */
export interface SessionProgress extends LiveSession {
  speed: number | null;
  out_time_s: number | null;
  segment: number | null;
  /** The job's state on the worker (`queued`, `running`), null when no worker lists it. */
  job_state: string | null;
}

/** Joins each live session to the job a worker runs for it (by session id, from the workers' `/health`). */
export function withProgress(sessions: readonly LiveSession[], workers: readonly FleetWorker[]): SessionProgress[] {
  const jobs = new Map(workers.flatMap((w) => (w.up ? w.health?.sessions ?? [] : []).map((job) => [job.session_id, job] as const)));
  return sessions.map((s) => {
    const job = jobs.get(s.id);
    return { ...s, speed: job?.speed ?? null, out_time_s: job?.out_time_s ?? null, segment: job?.segment ?? null, job_state: job?.state ?? null };
  });
}

/** The whole report. */
export function buildStatusReport(view: FleetView, activity: SessionActivity, entries: readonly WorkerEntry[] = []): Record<string, unknown> & { workers: ReturnType<typeof reportWorker>[] } {
  return {
    source: view.source, fleet_file: view.fleetFile, ...(view.ageMs === undefined ? {} : { cache_age_ms: view.ageMs }), ...(view.why === undefined ? {} : { why: view.why }),
    workers: view.workers.map((w) => reportWorker(w, entries)), sessions: withProgress(activity.sessions, view.workers), failures: activity.failures, hours: activity.hours,
    ...(activity.problem === undefined ? {} : { session_log_problem: activity.problem }),
  };
}
