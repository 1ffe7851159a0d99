/**
 * The fleet cache (`server.fleetFile`, docs/SERVER.md): what `plexbeam server` learnt of every
 * worker in its last probe round. The server writes it atomically; the cartridge and
 * `plexbeam status` read it here. Light (one readFileSync + JSON.parse): on the cartridge's start-up path.
 */
import { nodeFs } from './builtins.ts';
import type { HealthBody } from './wire/health.ts';

/** The file's format version; a reader ignores a file of another. */
export const FLEET_CACHE_VERSION = 1;

/**
 * A cache written longer ago than this is stale and the cartridge asks the workers itself:
 * 5 s, two and a half probe rounds of the default 2 s (one slow round does not make it stale).
 */
export const FLEET_CACHE_FRESH_MS = 5000;

/** A worker that failed a job this recently is tried after every other one (one minute). */
export const RECENT_FAILURE_MS = 60_000;

/** One worker as the last probe round saw it. */
export interface FleetWorker {
  name: string;
  url: string;
  up: boolean;
  /** Since when it has been up (or down), ms since the epoch. */
  since: number;
  /** When the last probe answered or failed. */
  checkedAt: number;
  /** The `/health` body when up (`null` when down). */
  health: HealthBody | null;
  /** The worker says it takes no new job (`plexbeam worker drain`). */
  draining: boolean;
  /** Why it is down, or the last reason it was ("connection refused …"); null if never. */
  lastError: string | null;
  lastErrorAt: number | null;
  /** The DNS pool (`workers[].dns`) this address belongs to; absent for a URL entry. */
  pool?: string;
  /** Failed jobs counted by its /metrics since the server started watching it. */
  failedJobs: number;
  /** When that count last rose: a job failed there (the cartridge tries it last for RECENT_FAILURE_MS). */
  lastFailureAt: number | null;
}

/** The whole file. */
export interface FleetCache {
  version: typeof FLEET_CACHE_VERSION;
  /** When the server wrote it, ms since the epoch. */
  writtenAt: number;
  /** The server's pid (status says which process keeps it). */
  pid: number;
  workers: FleetWorker[];
}

/** Reads the cache at `path`; null when absent, unreadable, of another version or malformed. */
export function readFleetCache(path: string): FleetCache | null {
  let text: string;
  try {
    text = nodeFs().readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  try {
    const cache = JSON.parse(text) as FleetCache;
    if (cache?.version !== FLEET_CACHE_VERSION || typeof cache.writtenAt !== 'number' || !Array.isArray(cache.workers)) return null;
    return cache;
  } catch {
    return null;
  }
}

/** True when the cache was written within FLEET_CACHE_FRESH_MS of `now` (and not in the future: a clock step). */
export function isFleetCacheFresh(cache: FleetCache, now = Date.now()): boolean {
  const age = now - cache.writtenAt;
  return age >= -1000 && age <= FLEET_CACHE_FRESH_MS;
}
