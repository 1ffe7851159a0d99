/**
 * The dashboard's feasibility summary: `plexbeam analyze --remote-feasibility` over the whole
 * session log (core/feasibility), with the workers' capabilities from the fleet as the last probe
 * round saw it (no request of its own), recomputed at most every FEASIBILITY_EVERY_MS.
 */
import { existsSync } from 'node:fs';
import type { Config } from '../core/config.ts';
import type { FleetWorker } from '../core/fleet-cache.ts';
import type { FeasibilitySummary } from '../core/feasibility/summary.ts';

/** Sessions change the picture slowly, and a large log takes a moment to group: once a minute. */
export const FEASIBILITY_EVERY_MS = 60_000;

/** The summary, when it was computed, or why there is none. */
export type FeasibilityView = (FeasibilitySummary & { computed_at: string }) | { problem: string; computed_at: string };

export interface FeasibilityFeedDeps {
  dbPath: string;
  config: Pick<Config, 'worker' | 'healthTimeoutMs'>;
  everyMs?: number;
  now?: () => number;
}

/** Returns `read(fleet)`: the latest summary, recomputed when older than `everyMs`; null while the session log does not exist. */
export function createFeasibilityFeed(deps: FeasibilityFeedDeps): (fleet: readonly FleetWorker[]) => Promise<FeasibilityView | null> {
  const now = deps.now ?? Date.now;
  const everyMs = deps.everyMs ?? FEASIBILITY_EVERY_MS;
  let last: { at: number; view: FeasibilityView } | null = null;
  return async (fleet) => {
    if (!existsSync(deps.dbPath)) return null;
    const at = now();
    if (last !== null && at - last.at < everyMs) return last.view;
    last = { at, view: await compute(deps, fleet, at) };
    return last.view;
  };
}

async function compute(deps: FeasibilityFeedDeps, fleet: readonly FleetWorker[], at: number): Promise<FeasibilityView> {
  const computed_at = new Date(at).toISOString();
  // Loaded on the first round with a session log: the server starts without SQLite.
  const [{ openSessionLog }, { computeFeasibility }, { capabilitiesFromFleet }, { createInputCheck }, { summarizeFeasibility }] = await Promise.all([
    import('../core/session-log/index.ts'), import('../core/feasibility/compute.ts'), import('../core/feasibility/capabilities.ts'),
    import('../core/feasibility/input-reach.ts'), import('../core/feasibility/summary.ts'),
  ]);
  let log;
  try {
    log = openSessionLog(deps.dbPath, { readonly: true });
  } catch (error) {
    return { problem: (error as Error).message, computed_at };
  }
  try {
    const report = computeFeasibility(log.db, {
      dbPath: deps.dbPath,
      since: null,
      capabilities: capabilitiesFromFleet(fleet, log.listWorkerCapabilities()),
      inputCheck: createInputCheck(deps.config.worker),
      allowHttpInputs: deps.config.worker.allowHttpInputs,
      healthTimeoutMs: deps.config.healthTimeoutMs,
    });
    return { ...summarizeFeasibility(report), computed_at };
  } catch (error) {
    return { problem: (error as Error).message, computed_at };
  } finally {
    log.close();
  }
}
