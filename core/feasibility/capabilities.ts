/** What each worker can encode: its live `GET /health` when it answers in time, else the last one stored. */
import type { WorkerEntry } from '../config.ts';
import type { FleetWorker } from '../fleet-cache.ts';
import type { WorkerCapabilitiesRow } from '../session-log/index.ts';
import { readHealth } from '../wire/health.ts';
import { requestWorkerPinned } from '../pinned-request.ts';
import { requestErrorCode } from '../wire/worker-request.ts';
import { isoTime } from './sql.ts';

/** One worker as feasibility sees it (JSON field names). */
export interface WorkerCapability {
  worker: string;
  url: string | null;
  /** In this config's `workers` (only these can take jobs). */
  configured: boolean;
  /** live: answered now; last-known: from the session log; none: nothing known. */
  source: 'live' | 'last-known' | 'none';
  seen_at: string | null;
  hwaccel: string | null;
  encoders: string[];
  /** Why the live check failed (null when live, or not asked). */
  error: string | null;
}

/** A fresh `/health` answer worth keeping (the caller may save it). */
export interface LiveHealth {
  worker: string;
  health: unknown;
}

/** Asks every configured worker's `/health` at once, all bounded by `timeoutMs`. */
export async function gatherCapabilities(
  workers: readonly WorkerEntry[],
  stored: readonly WorkerCapabilitiesRow[],
  timeoutMs: number,
): Promise<{ capabilities: WorkerCapability[]; live: LiveHealth[] }> {
  const signal = AbortSignal.timeout(timeoutMs);
  const live: LiveHealth[] = [];
  const capabilities = await Promise.all(
    workers.map(async (entry): Promise<WorkerCapability> => {
      const name = entry.name || entry.url;
      const base = { worker: name, url: entry.url, configured: true };
      let error: string;
      try {
        // A pinned https worker is reached over its pinned connection (core/tls-pin.ts), as the cartridge does.
        const reply = await requestWorkerPinned(entry.url, '/health', { apiKey: entry.apiKey, timeoutMs, signal, fingerprint: entry.fingerprint });
        const parsed = parseHealth(reply.body);
        if (parsed !== null) {
          live.push({ worker: name, health: reply.body });
          return { ...base, source: 'live', seen_at: isoTime(Date.now()), ...parsed, error: null };
        }
        error = `GET /health answered HTTP ${reply.status} without a PlexBeam worker status (${readHealth(reply.body).problem})`;
      } catch (caught) {
        error = signal.aborted ? `no answer within ${timeoutMs} ms` : `unreachable (${requestErrorCode(caught)})`;
      }
      return lastKnown(base, stored, error);
    }),
  );
  return { capabilities: withUnconfigured(capabilities, stored), live };
}

/**
 * The same from the fleet cache's last probe round (plexbeam-server asks every worker every
 * probe interval): an up worker is `live` as of that round, a down one its last known answer.
 */
export function capabilitiesFromFleet(fleet: readonly FleetWorker[], stored: readonly WorkerCapabilitiesRow[]): WorkerCapability[] {
  const capabilities = fleet.map((w): WorkerCapability => {
    const base = { worker: w.name, url: w.url, configured: true };
    if (w.up && w.health !== null) return { ...base, source: 'live', seen_at: isoTime(w.checkedAt), hwaccel: w.health.hwaccel, encoders: [...w.health.encoders], error: null };
    return lastKnown(base, stored, w.lastError ?? 'down');
  });
  return withUnconfigured(capabilities, stored);
}

/** A configured worker that did not answer: its last stored `/health` (by URL, then name), else nothing known. */
function lastKnown(base: { worker: string; url: string; configured: boolean }, stored: readonly WorkerCapabilitiesRow[], error: string): WorkerCapability {
  const known = stored.find((row) => row.worker === base.url) ?? stored.find((row) => row.worker === base.worker);
  const parsed = known === undefined ? null : parseHealth(known.health);
  if (known !== undefined && parsed !== null) return { ...base, source: 'last-known', seen_at: isoTime(known.seenAt), ...parsed, error };
  return { ...base, source: 'none', seen_at: null, hwaccel: null, encoders: [], error };
}

/** `capabilities` plus the stored workers this config no longer names (they cannot take jobs). */
function withUnconfigured(capabilities: WorkerCapability[], stored: readonly WorkerCapabilitiesRow[]): WorkerCapability[] {
  const named = new Set(capabilities.flatMap((c) => [c.worker, c.url]));
  for (const row of stored) {
    const parsed = parseHealth(row.health);
    if (named.has(row.worker) || parsed === null) continue;
    capabilities.push({ worker: row.worker, url: null, configured: false, source: 'last-known', seen_at: isoTime(row.seenAt), ...parsed, error: null });
  }
  return capabilities;
}

/** hwaccel and encoders of a `/health` body (core/wire/health.ts reads it); null when it is not one. */
function parseHealth(body: unknown): { hwaccel: string | null; encoders: string[] } | null {
  const { health } = readHealth(body);
  return health === undefined ? null : { hwaccel: health.hwaccel, encoders: health.encoders };
}
