/**
 * plexbeam-server's library queue (docs/LIBRARY.md): after every probe round it asks the workers
 * about the jobs they run, requeues a job whose worker has been silent for 30 s, hands the next
 * queued file to each idle worker (up, not draining, no live transcode, none of our jobs), and
 * finishes completed encodes on the Plex side (library/finish.ts), one at a time, in the background.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { WorkerEntry } from '../core/config.ts';
import type { FleetWorker } from '../core/fleet-cache.ts';
import type { Logger } from '../core/log.ts';
import { openLibraryStore, type LibraryJobRow, type LibraryStore } from '../core/session-log/library-store.ts';
import { finishJob, type FinishStep } from './finish.ts';
import { readIdentity } from './identity.ts';
import { temporaryPath } from './swap.ts';
import { cancelLibraryJob, libraryJobStatus, mapPath, startLibraryJob, WorkerSilentError, type WorkerAddress } from './worker-client.ts';

/** A job whose worker has not answered about it for this long is requeued (30 s). */
export const SILENT_WORKER_MS = 30_000;
/** Attempts (dispatches) before a job that keeps failing on workers is marked failed. */
export const MAX_ATTEMPTS = 3;

export interface LibrarySchedulerDeps {
  /** The session log (`<dataDir>/sessions.db`). */
  dbPath: string;
  /** The configured workers, for their keys (asked each round: the config may change). */
  entries: () => readonly WorkerEntry[];
  log: Logger;
  silentMs?: number;
  maxAttempts?: number;
  /** Called after each finishing step is durable (the crash tests' hook: `PLEXBEAM_LIBRARY_CRASH_AT`). */
  onStep?: (step: FinishStep, job: LibraryJobRow) => void;
  /** Why a file must not be replaced now (default: live sessions and /proc). */
  playing?: (path: string) => Promise<string | null>;
  now?: () => number;
}

/** The running queue. */
export interface LibraryScheduler {
  /** One round with the fleet as the monitor just saw it; resolves when polling and dispatch are done (finishing goes on). */
  round(workers: readonly FleetWorker[]): Promise<void>;
  /** Stops: no new round, the finishing in progress aborted where it stands (it resumes at the next start). */
  close(): Promise<void>;
}

/** The key (and pin) of a fleet worker, from its config entry (a DNS pool member by its pool). */
function addressOf(worker: Pick<FleetWorker, 'name' | 'url' | 'pool'>, entries: readonly WorkerEntry[]): WorkerAddress {
  const entry = entries.find((e) => e.url === worker.url) ?? entries.find((e) => worker.pool !== undefined && e.dns === worker.pool);
  return { name: worker.name, url: worker.url, apiKey: entry?.apiKey ?? '', ...(entry?.fingerprint ? { fingerprint: entry.fingerprint } : {}) };
}

/** Creates the queue; the session log is opened at the first round (and migrated, as every writer does). */
export function createLibraryScheduler(deps: LibrarySchedulerDeps): LibraryScheduler {
  const now = deps.now ?? Date.now;
  const silentMs = deps.silentMs ?? SILENT_WORKER_MS;
  const maxAttempts = deps.maxAttempts ?? MAX_ATTEMPTS;
  const startedAt = now();
  const abort = new AbortController();
  let store: LibraryStore | null = null;
  let closed = false;
  let inRound: Promise<void> | null = null;
  let finishing: Promise<void> = Promise.resolve();
  const finishingIds = new Set<number>();
  /** Jobs waiting to be replaced (Plex playing the file): not retried before this time. */
  const waitUntil = new Map<number, number>();

  const log = deps.log.child({ part: 'library' });

  /** Back in the queue (a worker lost it), or failed after MAX_ATTEMPTS; its temporary output removed. */
  async function requeue(s: LibraryStore, job: LibraryJobRow, reason: string): Promise<void> {
    if (job.tmpPath !== null) await rm(job.tmpPath, { force: true }).catch(() => undefined);
    if (job.attempts >= maxAttempts) {
      s.updateJob(job.id, { state: 'failed', endedAt: now(), error: `${reason} (after ${job.attempts} attempts)`, step: null });
      s.setFileOutcome(job.path, 'failed', reason);
      log.error({ job: job.id, path: job.path, reason }, `library job ${job.id} failed: ${reason}`);
      return;
    }
    s.updateJob(job.id, { state: 'queued', step: null, worker: null, workerUrl: null, workerJobId: null, percent: null, speed: null, etaS: null, error: reason });
    log.warn({ job: job.id, path: job.path, reason }, `library job ${job.id} requeued: ${reason}`);
  }

  /** Asks the worker of an encoding job how it goes. */
  async function poll(s: LibraryStore, job: LibraryJobRow, fleet: readonly FleetWorker[], entries: readonly WorkerEntry[]): Promise<void> {
    const worker = fleet.find((w) => w.url === job.workerUrl);
    const silentFor = now() - Math.max(job.heardAt ?? 0, startedAt);
    const silent = async (why: string) => {
      if (silentFor < silentMs) return;
      await requeue(s, job, `worker ${job.worker} silent for ${Math.round(silentFor / 1000)} s (${why})`);
      if (worker !== undefined && job.workerJobId !== null) void cancelLibraryJob(addressOf(worker, entries), job.workerJobId);
    };
    if (worker === undefined || !worker.up || job.workerJobId === null) return silent(worker === undefined ? 'no longer configured' : worker.lastError ?? 'down');
    let status;
    try {
      status = await libraryJobStatus(addressOf(worker, entries), job.workerJobId);
    } catch (error) {
      if (error instanceof WorkerSilentError) return silent(error.message);
      throw error;
    }
    if (status === null) return requeue(s, job, `worker ${job.worker} no longer knows the job (it restarted)`);
    const heard = { heardAt: now(), percent: status.percent, speed: status.speed, etaS: status.etaS };
    switch (status.state) {
      case 'queued':
      case 'running':
      case 'paused':
        s.updateJob(job.id, { ...heard, error: status.state === 'paused' ? 'paused: a live transcode runs on the worker' : null });
        return;
      case 'completed':
        s.updateJob(job.id, { ...heard, percent: 100, etaS: 0, state: 'finishing', step: 'encoded', error: null });
        log.info({ job: job.id, path: job.path, worker: job.worker }, `library job ${job.id} encoded on ${job.worker}; verifying`);
        return;
      case 'failed':
      case 'cancelled':
        s.updateJob(job.id, heard);
        return requeue(s, job, `the encode ${status.state} on ${job.worker}: ${status.error ?? 'no reason given'}`);
    }
  }

  /** Hands the oldest queued job a worker can see to `worker`; true when one started. */
  async function dispatch(s: LibraryStore, worker: FleetWorker, entries: readonly WorkerEntry[]): Promise<boolean> {
    const address = addressOf(worker, entries);
    for (const job of s.listJobs(['queued']).slice(0, 20)) {
      const original = await readIdentity(job.path).catch((error: NodeJS.ErrnoException) => error);
      if (original instanceof Error) {
        s.updateJob(job.id, { state: 'failed', endedAt: now(), error: `cannot read the file: ${original.code ?? original.message}` });
        s.setFileOutcome(job.path, 'failed', `cannot read the file: ${original.code ?? original.message}`);
        continue;
      }
      const mapped = await mapPath(address, job.path);
      if ('refused' in mapped) {
        s.updateJob(job.id, { error: `not on ${worker.name}: ${mapped.refused}` });
        continue;
      }
      if (job.tmpPath !== null) await rm(job.tmpPath, { force: true });
      const attempt = job.attempts + 1;
      const tmpPath = temporaryPath(job.path, job.id, attempt);
      // Recorded before asking, so a crash right after the POST still knows which file to clear.
      s.updateJob(job.id, { attempts: attempt, tmpPath, original, worker: worker.name, workerUrl: worker.url, step: null });
      const output = join(dirname(mapped.path), basename(tmpPath));
      const started = await startLibraryJob(address, { input: mapped.path, output, codec: job.codec, ...(job.quality === null ? {} : { quality: job.quality }) });
      if ('refused' in started) {
        const busy = started.status === 503;
        s.updateJob(job.id, { attempts: job.attempts, worker: null, workerUrl: null, error: `${worker.name} refused it: ${started.refused}` });
        if (busy) return false;
        if (started.status === 400) {
          s.updateJob(job.id, { state: 'failed', endedAt: now() });
          s.setFileOutcome(job.path, 'failed', started.refused);
        }
        continue;
      }
      s.updateJob(job.id, { state: 'encoding', workerJobId: started.id, startedAt: job.startedAt ?? now(), heardAt: now(), percent: 0, error: null });
      log.info({ job: job.id, path: job.path, worker: worker.name, codec: job.codec, attempt }, `library job ${job.id} started on ${worker.name}: ${job.path}`);
      return true;
    }
    return false;
  }

  /** Queues the Plex-side finishing of `job` (one at a time: a decode pass is heavy). */
  function finishLater(s: LibraryStore, job: LibraryJobRow): void {
    if (finishingIds.has(job.id) || (waitUntil.get(job.id) ?? 0) > now()) return;
    finishingIds.add(job.id);
    finishing = finishing.then(async () => {
      if (closed) return;
      const fresh = s.getJob(job.id);
      if (fresh?.state !== 'finishing') return;
      try {
        const outcome = await finishJob(fresh, { store: s, onStep: deps.onStep, playing: deps.playing, now, signal: abort.signal });
        if (outcome.state === 'retry') await requeue(s, fresh, outcome.reason ?? 'retry');
        else if (outcome.state === 'finishing') waitUntil.set(job.id, now() + silentMs);
        else {
          const line = `library job ${job.id} ${outcome.state}${outcome.reason === null ? '' : `: ${outcome.reason}`}`;
          if (outcome.state === 'failed') log.error({ job: job.id, path: job.path, reason: outcome.reason }, line);
          else log.info({ job: job.id, path: job.path, saved: s.getJob(job.id)?.savedBytes }, line);
        }
      } catch (error) {
        if (!abort.signal.aborted) log.error({ err: error, job: job.id }, `library job ${job.id}: finishing stopped: ${(error as Error).message} (tried again next round)`);
      } finally {
        finishingIds.delete(job.id);
      }
    });
  }

  async function round(fleet: readonly FleetWorker[]): Promise<void> {
    // No session log yet: nothing was ever scanned or queued (and the server creates no file of its own).
    if (store === null && !existsSync(deps.dbPath)) return;
    store ??= openLibraryStore(deps.dbPath);
    const s = store;
    const entries = deps.entries();
    for (const job of s.listJobs(['encoding'])) await poll(s, job, fleet, entries);
    for (const job of s.listJobs(['finishing'])) finishLater(s, job);
    const busy = new Set(s.listJobs(['encoding']).map((job) => job.workerUrl));
    for (const worker of fleet) {
      const jobs = worker.health?.jobs;
      const idle = worker.up && !worker.draining && jobs !== undefined && jobs.running === 0 && jobs.queued === 0;
      if (!idle || busy.has(worker.url)) continue;
      if (s.listJobs(['queued']).length === 0) break;
      await dispatch(s, worker, entries);
    }
  }

  return {
    round(fleet) {
      if (closed || inRound !== null) return inRound ?? Promise.resolve();
      inRound = round(fleet)
        .catch((error: unknown) => log.error({ err: error }, `library round failed: ${(error as Error).message}`))
        .finally(() => (inRound = null));
      return inRound;
    },
    async close() {
      closed = true;
      abort.abort();
      await inRound;
      await finishing;
      store?.close();
    },
  };
}
