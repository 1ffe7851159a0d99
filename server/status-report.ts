/** The fleet report `plexbeam status --json` prints and the dashboard serves: workers, live sessions, failures. */
import type { FleetWorker } from '../core/fleet-cache.ts';
import type { FleetView } from './fleet-view.ts';
import type { SessionActivity } from './session-activity.ts';

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

/** One worker as the report shows it (snake_case, times as ISO strings). */
export function reportWorker(w: FleetWorker) {
  return {
    name: w.name, url: w.url, up: w.up, since: new Date(w.since).toISOString(), checked_at: new Date(w.checkedAt).toISOString(),
    draining: w.draining, backend: w.health?.hwaccel ?? null, encoders: w.health?.encoders ?? [], jobs: w.health?.jobs ?? null,
    version: w.health?.version ?? null, last_error: w.lastError, last_error_at: iso(w.lastErrorAt),
    failed_jobs: w.failedJobs, last_failure_at: iso(w.lastFailureAt), ...(w.pool === undefined ? {} : { pool: w.pool }),
  };
}

/** The whole report. */
export function buildStatusReport(view: FleetView, activity: SessionActivity): Record<string, unknown> & { workers: ReturnType<typeof reportWorker>[] } {
  return {
    source: view.source, fleet_file: view.fleetFile, ...(view.ageMs === undefined ? {} : { cache_age_ms: view.ageMs }), ...(view.why === undefined ? {} : { why: view.why }),
    workers: view.workers.map(reportWorker), sessions: activity.sessions, failures: activity.failures, hours: activity.hours,
    ...(activity.problem === undefined ? {} : { session_log_problem: activity.problem }),
  };
}
