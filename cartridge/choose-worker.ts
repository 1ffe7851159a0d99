/**
 * Learns every configured worker's health (from plexbeam-server's fleet cache when it is fresh,
 * else by asking each `GET /health` at once) and ranks those that can take a job.
 */
import { requestJson, warmConnection } from './http.ts';
import { canEncode } from '../core/codec-family.ts';
import { nodeDns } from '../core/builtins.ts';
import { isFleetCacheFresh, readFleetCache, RECENT_FAILURE_MS } from '../core/fleet-cache.ts';
import { registerPins } from '../core/worker-pins.ts';
import { readHealth, type HealthBody } from '../core/wire/health.ts';
import type { RejectionCode } from './fallback-reason.ts';

export interface WorkerTarget {
  url: string;
  apiKey: string;
  name: string;
  /** A DNS pool (`workers[].dns`): every address the name resolves to is a worker on `port`. */
  dns?: string;
  port?: number;
  /** Share of jobs (`workers[].weight`, default 1): free slots × weight ranks workers. */
  /** SHA-256 of its TLS certificate (`workers[].fingerprint`): pinned on every connection. */
  fingerprint?: string;
  weight?: number;
  /** Wake-on-LAN (`workers[].wake`): found down, the worker is sent a magic packet (cartridge/wake.ts). */
  wake?: { mac: string; broadcast: string };
}

/** A worker's `GET /health` body (core/wire/health.ts). */
export type WorkerHealth = HealthBody;

export interface WorkerCandidate extends WorkerTarget {
  health: WorkerHealth;
  free: number;
  /** A job failed there within the last minute (fleet cache): tried after the others. */
  recentFailure?: boolean;
}

export interface WorkerRejection {
  worker: string;
  reason: string;
  /** The same, as a code (the session log's fallback reason is drawn from these). */
  code: RejectionCode;
}

export interface WorkerChoice {
  /** Healthy workers able to take the job, best first (see rankWorkers). */
  candidates: WorkerCandidate[];
  /** Why each other worker was passed over. */
  rejected: WorkerRejection[];
}

export { canEncode };

/**
 * One worker's health: its status (`recentFailure`: a job failed there within the last minute, as
 * the fleet cache says), or why it cannot be used.
 */
export type HealthResult = { worker: WorkerTarget; health: WorkerHealth; recentFailure?: boolean } | { worker: WorkerTarget; reason: string; down?: boolean };

/**
 * Every worker's health: from the fleet cache at `fleetFile` when it is fresh (core/fleet-cache.ts,
 * no request at all), else, and for any worker the cache does not list, from `GET /health` asked in
 * parallel, all bounded by one `timeoutMs`. Started before the argv is parsed, so that the round
 * trips overlap the parsing. A worker found down that has `wake` is sent a Wake-on-LAN packet on the
 * side (wakeSleepers), its stamp kept in `dataDir`: the play never waits for it.
 */
export function checkWorkers(workers: readonly WorkerTarget[], timeoutMs: number, fleetFile?: string, dataDir?: string): Promise<HealthResult[]> {
  const results = healthOf(workers, timeoutMs, fleetFile);
  results.then((found) => wakeSleepers(found, dataDir), () => undefined);
  return results;
}

function healthOf(workers: readonly WorkerTarget[], timeoutMs: number, fleetFile?: string): Promise<HealthResult[]> {
  // Every later request to a worker with a recorded certificate (health, dispatch, link) checks it.
  registerPins(workers);
  const cached = fleetFile === undefined || fleetFile === '' ? null : healthFromCache(workers, fleetFile);
  if (cached === null) return askWorkers(workers, timeoutMs);
  // The worker the cache ranks first is likely the one the job goes to: a pinned one's TLS
  // connection opens now, its handshake overlapping the parse (the dispatch takes it).
  const first = rankWorkers(cached.results, null).candidates[0];
  if (first !== undefined) warmConnection(first.url, timeoutMs);
  if (cached.unlisted.length === 0) return Promise.resolve(cached.results);
  return askWorkers(cached.unlisted, timeoutMs).then((live) => [...cached.results, ...live]);
}

/**
 * Wakes each worker found down (no answer, unreachable, down in the fleet cache) that has `wake`:
 * cartridge/wake.ts loads only then, off the start-up path of every other play, and nothing awaits
 * it (the play goes on to the next worker or falls back at once). At most one stderr line.
 */
export function wakeSleepers(results: readonly HealthResult[], dataDir?: string): Promise<unknown> | null {
  const asleep = results.flatMap((r) => ('reason' in r && r.down === true && r.worker.wake !== undefined ? [r.worker] : []));
  if (asleep.length === 0) return null;
  return import('./wake.ts')
    .then(({ wakeWorkers }) => wakeWorkers(asleep, { dataDir }))
    .catch((error: unknown) => {
      process.stderr.write(`plexbeam: Wake-on-LAN not sent: ${(error as Error).message}\n`);
    });
}

/** The cache's word on each worker (matched by URL), and the workers it does not list; null when stale or absent. */
function healthFromCache(workers: readonly WorkerTarget[], fleetFile: string): { results: HealthResult[]; unlisted: WorkerTarget[] } | null {
  const cache = readFleetCache(fleetFile);
  const now = Date.now();
  if (cache === null || !isFleetCacheFresh(cache, now)) return null;
  const results: HealthResult[] = [];
  const unlisted: WorkerTarget[] = [];
  for (const entry of workers) {
    // A DNS pool stands for its members in the cache: each as a worker with the pool's key and weight.
    const pool = entry.dns !== undefined && entry.dns !== '' ? cache.workers.filter((w) => w.pool === entry.dns) : null;
    const listed = pool ?? cache.workers.filter((w) => w.url === entry.url && w.pool === undefined);
    if (listed.length === 0) unlisted.push(entry);
    for (const seen of listed) {
      const worker: WorkerTarget = pool === null ? entry : { url: seen.url, apiKey: entry.apiKey, name: seen.name, ...(entry.weight === undefined ? {} : { weight: entry.weight }) };
      // The cached body is read like a live one: a malformed entry is asked live instead.
      const health = seen.up === true && seen.health !== null ? readHealth(seen.health).health : undefined;
      if (seen.draining === true) results.push({ worker, reason: 'draining (fleet cache)' });
      else if (seen.up !== true) results.push({ worker, reason: `down (fleet cache: ${seen.lastError ?? 'no answer'})`, down: true });
      else if (health === undefined) unlisted.push(worker);
      else results.push({ worker, health, recentFailure: typeof seen.lastFailureAt === 'number' && now - seen.lastFailureAt < RECENT_FAILURE_MS });
    }
  }
  return { results, unlisted };
}

/** Every worker a target stands for: itself, or each address its DNS pool's name resolves to now. */
async function expandPools(workers: readonly WorkerTarget[], signal: AbortSignal): Promise<WorkerTarget[]> {
  // A lookup cannot be aborted: past the deadline the pool stays one target, which then fails at once.
  const deadline = new Promise<never>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
  deadline.catch(() => undefined);
  const lists = await Promise.all(workers.map(async (entry): Promise<WorkerTarget[]> => {
    if (entry.dns === undefined || entry.dns === '') return [entry];
    const dns = entry.dns;
    try {
      const addresses = await Promise.race([nodeDns().promises.lookup(dns, { all: true }), deadline]);
      const port = entry.port ?? 8765;
      return [...new Set(addresses.map((a) => a.address))].sort().map((address) => ({
        url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`, apiKey: entry.apiKey, name: `${entry.name || dns}/${address}`, ...(entry.weight === undefined ? {} : { weight: entry.weight }),
      }));
    } catch {
      return [entry];
    }
  }));
  return lists.flat();
}

/** Asks every worker's `GET /health` in parallel (DNS pools resolved first), all bounded by one `timeoutMs`. */
async function askWorkers(targets: readonly WorkerTarget[], timeoutMs: number): Promise<HealthResult[]> {
  const signal = AbortSignal.timeout(timeoutMs);
  const workers = targets.some((w) => w.dns !== undefined && w.dns !== '') ? await expandPools(targets, signal) : targets;
  return Promise.all(
    workers.map(async (worker): Promise<HealthResult> => {
      try {
        const res = await requestJson(new URL('/health', worker.url).href, { signal });
        if (res.status !== 200) return { worker, reason: `health check answered HTTP ${res.status}` };
        const { health, problem } = readHealth(res.body);
        if (health === undefined) return { worker, reason: `health check answer is not a PlexBeam worker status (${problem})` };
        return { worker, health };
      } catch (error) {
        const reason = signal.aborted ? `no answer within ${timeoutMs} ms` : `unreachable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
        return { worker, reason, down: true };
      }
    }),
  );
}

/** Keeps the healthy workers with free capacity that can encode `videoCodecOut`, best first. */
export function rankWorkers(results: readonly HealthResult[], videoCodecOut: string | null): WorkerChoice {
  const candidates: WorkerCandidate[] = [];
  const rejected: WorkerRejection[] = [];
  for (const result of results) {
    const label = result.worker.name || result.worker.url;
    if (!('health' in result)) {
      rejected.push({ worker: label, reason: result.reason, code: 'no-healthy-worker' });
      continue;
    }
    const free = result.health.jobs.max - result.health.jobs.running - result.health.jobs.queued;
    if (free <= 0) rejected.push({ worker: label, reason: `full (${result.health.jobs.running}/${result.health.jobs.max} jobs)`, code: 'workers-full' });
    else if (!canEncode(result.health.encoders, videoCodecOut)) rejected.push({ worker: label, reason: `cannot encode ${videoCodecOut}`, code: 'cannot-encode' });
    else candidates.push({ ...result.worker, health: result.health, free, ...(result.recentFailure === true ? { recentFailure: true } : {}) });
  }
  // A worker that failed a job in the last minute after every other; then most free capacity
  // times weight; between equals, more free slots, then a hardware encoder before software.
  const hardware = (c: WorkerCandidate) => (c.health.hwaccel === 'software' ? 0 : 1);
  const failed = (c: WorkerCandidate) => (c.recentFailure === true ? 1 : 0);
  const share = (c: WorkerCandidate) => c.free * (c.weight ?? 1);
  candidates.sort((a, b) => failed(a) - failed(b) || share(b) - share(a) || b.free - a.free || hardware(b) - hardware(a));
  return { candidates, rejected };
}
