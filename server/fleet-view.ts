/** The fleet as `plexbeam status` shows it: the server's cache when fresh, else one live probe round. */
import { isFleetCacheFresh, readFleetCache, type FleetWorker } from '../core/fleet-cache.ts';
import type { WorkerEntry } from '../core/config.ts';
import { nextWorkerState } from './fleet-state.ts';
import { probeWorker } from './probe.ts';
import { probeTargets } from './targets.ts';

/** Where the answers come from: `server` (its cache, `ageMs` old) or `live` (this process asked, `why`). */
export interface FleetView {
  source: 'server' | 'live';
  fleetFile: string;
  /** Age of the cache (source `server`). */
  ageMs?: number;
  /** Why the workers were asked live (source `live`). */
  why?: string;
  workers: FleetWorker[];
}

/** Reads the cache at `fleetFile`, or, when no server keeps it fresh, probes every worker once within `timeoutMs`. */
export async function viewFleet(workers: readonly WorkerEntry[], fleetFile: string, timeoutMs: number, now = Date.now): Promise<FleetView> {
  const cache = readFleetCache(fleetFile);
  const at = now();
  if (cache !== null && isFleetCacheFresh(cache, at)) {
    // Workers added since the server started are not in its cache yet: they show as unknown until its restart.
    return { source: 'server', fleetFile, ageMs: Math.max(0, at - cache.writtenAt), workers: cache.workers };
  }
  const why = cache === null ? `no fleet cache at ${fleetFile} (is plexbeam-server running?)` : `the fleet cache at ${fleetFile} is ${Math.round((at - cache.writtenAt) / 1000)} s old (is plexbeam-server running?)`;
  const targets = await probeTargets(workers);
  const results = await Promise.all(targets.map((target) => probeWorker(target, timeoutMs)));
  const counts = new Map<string, number>();
  const probedAt = now();
  const seen = targets.map((target, index) => {
    // Keep what the stale cache knew (last error, failures) under the fresh answer.
    const previous = cache?.workers.find((w) => w.url === target.url);
    const state = nextWorkerState(target, previous, results[index]!, probedAt, counts);
    return previous === undefined ? state : { ...state, failedJobs: previous.failedJobs, lastFailureAt: previous.lastFailureAt };
  });
  return { source: 'live', fleetFile, why, workers: seen };
}
