/** The fleet's state across probe rounds: up/down since when, last error, failed jobs seen. */
import type { FleetWorker } from '../core/fleet-cache.ts';
import type { ProbeResult, ProbeTarget } from './probe.ts';

/**
 * The record of `target` after a probe at `now` that returned `result`, given its previous one;
 * `counts` keeps each worker's own failed-job counter between rounds (by URL).
 */
export function nextWorkerState(target: ProbeTarget, previous: FleetWorker | undefined, result: ProbeResult, now: number, counts: Map<string, number>): FleetWorker {
  const up = result.health !== undefined;
  const since = previous !== undefined && previous.up === up ? previous.since : now;
  const base: FleetWorker = {
    name: target.name,
    url: target.url,
    up,
    since,
    checkedAt: now,
    health: null,
    draining: false,
    lastError: previous?.lastError ?? null,
    lastErrorAt: previous?.lastErrorAt ?? null,
    failedJobs: previous?.failedJobs ?? 0,
    lastFailureAt: previous?.lastFailureAt ?? null,
    ...(target.pool === undefined ? {} : { pool: target.pool }),
  };
  if (result.health === undefined) return { ...base, lastError: result.error, lastErrorAt: now };
  const state: FleetWorker = { ...base, health: result.health, draining: result.draining };
  if (result.failedJobs !== null) {
    // The first count is the baseline; a lower one means the worker restarted (its counters too).
    const seen = counts.get(target.url);
    if (seen !== undefined && result.failedJobs > seen) {
      state.failedJobs += result.failedJobs - seen;
      state.lastFailureAt = now;
    }
    counts.set(target.url, result.failedJobs);
  }
  return state;
}

/** `3 workers up · 2 transcoding`: the line systemd shows. */
export function fleetStatusLine(workers: readonly FleetWorker[]): string {
  const up = workers.filter((w) => w.up).length;
  const running = workers.reduce((sum, w) => sum + (w.health?.jobs.running ?? 0), 0);
  return `${up} worker${up === 1 ? '' : 's'} up · ${running} transcoding`;
}
