/**
 * plexbeam-server's library queue (docs/LIBRARY.md): after every probe round it asks the workers
 * about the jobs they run, requeues a job whose worker has been silent for 30 s, hands the next
 * queued file to each idle worker (up, not draining, no live transcode, none of our jobs), and
 * finishes completed encodes on the Plex side (library/finish.ts), one at a time, in the background.
 */
import { existsSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { WorkerEntry } from '../core/config.ts';
import type { FleetWorker } from '../core/fleet-cache.ts';
import type { Logger } from '../core/log.ts';
import { openLibraryStore, type LibraryJobRow, type LibraryStore } from '../core/session-log/library-store.ts';
import { finishJob, type FinishStep } from './finish.ts';
import { readIdentity } from './identity.ts';
import { temporaryPath } from './swap.ts';
import { downloadOutput, TransferError, uploadInput } from './stream-transfer.ts';
import { cancelLibraryJob, libraryJobStatus, mapPath, startLibraryJob, WorkerSilentError, type WorkerAddress } from './worker-client.ts';

/** A job whose worker has not answered about it for this long is requeued (30 s). */
export const SILENT_WORKER_MS = 30_000;
/** Attempts (dispatches) before a job that keeps failing on workers is marked failed. */
export const MAX_ATTEMPTS = 3;
/** Stream mode: downloads of one encode cut in a row before the job is requeued (encoded again). */
export const MAX_DOWNLOADS = 3;
/**
 * `library_jobs.step` of a stream-mode job before the Plex side's finish (library/finish.ts):
 * `upload` while it is encoding (the original uploaded, or being uploaded), `download` once the
 * worker completed it and until the encode is downloaded beside the original (then `encoded`).
 */
export const STREAM_STEPS = { upload: 'upload', download: 'download' } as const;

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

/** True for a stream-mode job before its finish (its step says so). */
const isStreamed = (job: LibraryJobRow) => job.step === STREAM_STEPS.upload || job.step === STREAM_STEPS.download;

/** The key (and pin) of a fleet worker, from its config entry (a DNS pool member by its pool). */
function addressOf(worker: Pick<FleetWorker, 'name' | 'url' | 'pool'>, entries: readonly WorkerEntry[]): WorkerAddress {
  const entry = entries.find((e) => e.url === worker.url) ?? entries.find((e) => worker.pool !== undefined && e.dns === worker.pool);
  return { name: worker.name, url: worker.url, apiKey: entry?.apiKey ?? '', storage: entry?.storage ?? 'auto', ...(entry?.fingerprint ? { fingerprint: entry.fingerprint } : {}) };
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
  /** Stream mode: the uploads running (by the worker's job id: a requeued job's new upload never waits on its old one), and the downloads cut so far per job. */
  const uploads = new Map<string, Promise<void>>();
  const cutDownloads = new Map<number, number>();
  /** The fleet as last seen (the finishing's downloads find a job's worker in it). */
  let lastFleet: readonly FleetWorker[] = [];

  const log = deps.log.child({ part: 'library' });

  /** Back in the queue (a worker lost it), or failed after MAX_ATTEMPTS (or at once when `final`); its temporary output removed. */
  async function requeue(s: LibraryStore, job: LibraryJobRow, reason: string, final = false): Promise<void> {
    if (job.tmpPath !== null) await rm(job.tmpPath, { force: true }).catch(() => undefined);
    cutDownloads.delete(job.id);
    // A stream-mode job's scratch on the worker is freed (best effort; the worker removes it anyway when the job ends).
    if (isStreamed(job) && job.workerJobId !== null) void cancelLibraryJob(addressOfJob(job), job.workerJobId);
    if (final || job.attempts >= maxAttempts) {
      s.updateJob(job.id, { state: 'failed', endedAt: now(), error: `${reason} (after ${job.attempts} attempt${job.attempts === 1 ? '' : 's'})`, step: null });
      s.setFileOutcome(job.path, 'failed', reason);
      log.error({ job: job.id, path: job.path, reason }, `library job ${job.id} failed: ${reason}`);
      return;
    }
    s.updateJob(job.id, { state: 'queued', step: null, worker: null, workerUrl: null, workerJobId: null, storage: null, percent: null, speed: null, etaS: null, error: reason });
    log.warn({ job: job.id, path: job.path, reason }, `library job ${job.id} requeued: ${reason}`);
  }

  /** The address of the worker a job ran on (its pool, if any, from the fleet as last seen). */
  function addressOfJob(job: LibraryJobRow): WorkerAddress {
    const seen = lastFleet.find((w) => w.url === job.workerUrl);
    return addressOf(seen ?? { name: job.worker ?? '?', url: job.workerUrl ?? '', pool: undefined }, deps.entries());
  }

  /** Uploads (or resumes uploading) a stream-mode job's original from byte `from`, in the background. */
  function startUpload(s: LibraryStore, job: LibraryJobRow, address: WorkerAddress, from: number): void {
    if (job.workerJobId === null || uploads.has(job.workerJobId) || job.original === null || closed) return;
    const { id, path, workerJobId } = job;
    const size = job.original.size;
    if (from > 0) log.info({ job: id, path, from }, `library job ${id}: resuming the upload to ${address.name} at byte ${from}`);
    const upload = uploadInput(address, workerJobId, path, size, from, abort.signal)
      .then(() => log.info({ job: id, path, size }, `library job ${id}: the original uploaded to ${address.name} (${size} bytes)`))
      .catch((error: unknown) => {
        if (abort.signal.aborted) return;
        const reason = `the upload to ${address.name} stopped: ${(error as Error).message}; resumed at the next round`;
        if (s.getJob(id)?.workerJobId === workerJobId) s.updateJob(id, { error: reason });
        log.warn({ job: id, path, reason }, `library job ${id}: ${reason}`);
      })
      .finally(() => uploads.delete(workerJobId));
    uploads.set(workerJobId, upload);
  }

  /**
   * Stream mode: downloads the completed encode beside the original (then step `encoded`: the
   * finish goes on as on shared storage) and frees the worker's scratch. False when it did not:
   * the Plex side's disk is full (the job fails), the worker lost the encode, or the download was
   * cut MAX_DOWNLOADS times in a row (requeued), or it was cut (tried again at the next round).
   */
  async function download(s: LibraryStore, job: LibraryJobRow): Promise<boolean> {
    const address = addressOfJob(job);
    if (job.tmpPath === null || job.original === null || job.workerJobId === null) {
      await requeue(s, job, 'the job has no temporary name, original or worker job recorded');
      return false;
    }
    await rm(job.tmpPath, { force: true });
    const info = await stat(job.path).catch(() => null);
    try {
      const got = await downloadOutput(address, job.workerJobId, job.tmpPath, { mode: info?.mode ?? 0o644, uid: info?.uid ?? -1, gid: info?.gid ?? -1 }, abort.signal);
      log.info({ job: job.id, path: job.path, size: got.size, sha256: got.sha256 }, `library job ${job.id}: the encode downloaded from ${address.name}; verifying`);
    } catch (error) {
      abort.signal.throwIfAborted();
      const transfer = error instanceof TransferError ? error : new TransferError((error as Error).message, null, (error as NodeJS.ErrnoException).code ?? null);
      if (transfer.code === 'ENOSPC') {
        const reason = `LIBRARY_DISK_FULL: ${transfer.message}; nothing replaced`;
        s.updateJob(job.id, { state: 'failed', endedAt: now(), error: reason });
        s.setFileOutcome(job.path, 'failed', reason);
        void cancelLibraryJob(address, job.workerJobId);
        log.error({ job: job.id, path: job.path, reason, code: 'LIBRARY_DISK_FULL' }, `library job ${job.id} failed: ${reason}`);
        return false;
      }
      const cuts = (cutDownloads.get(job.id) ?? 0) + 1;
      cutDownloads.set(job.id, cuts);
      if (transfer.status === 404 || transfer.status === 409 || cuts >= MAX_DOWNLOADS) {
        await requeue(s, job, `the encode could not be downloaded from ${address.name}: ${transfer.message}${cuts >= MAX_DOWNLOADS ? ` (${cuts} tries)` : ''}`);
        return false;
      }
      const reason = `the download from ${address.name} was cut: ${transfer.message}; tried again`;
      s.updateJob(job.id, { error: reason });
      log.warn({ job: job.id, path: job.path, reason }, `library job ${job.id}: ${reason}`);
      return false;
    }
    cutDownloads.delete(job.id);
    s.updateJob(job.id, { step: 'encoded', error: null });
    void cancelLibraryJob(address, job.workerJobId);
    return true;
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
    const streamed = isStreamed(job);
    if (status.state === 'queued' && streamed && status.stream !== undefined && status.stream.received < status.stream.size) {
      startUpload(s, job, addressOf(worker, entries), status.stream.received);
      s.updateJob(job.id, { ...heard, error: uploads.has(job.workerJobId) ? `uploading the original: ${status.stream.received} of ${status.stream.size} bytes to ${job.worker}` : job.error });
      return;
    }
    switch (status.state) {
      case 'queued':
      case 'running':
      case 'paused':
        s.updateJob(job.id, { ...heard, error: status.state === 'paused' ? 'paused: a live transcode runs on the worker' : null });
        return;
      case 'completed':
        s.updateJob(job.id, { ...heard, percent: 100, etaS: 0, state: 'finishing', step: streamed ? STREAM_STEPS.download : 'encoded', error: null });
        log.info({ job: job.id, path: job.path, worker: job.worker }, `library job ${job.id} encoded on ${job.worker}; verifying`);
        return;
      case 'failed':
      case 'cancelled': {
        s.updateJob(job.id, heard);
        const reason = `the encode ${status.state} on ${job.worker}: ${status.error ?? 'no reason given'}`;
        // The library's own disk is full (shared storage): another attempt would fill it again. In
        // stream mode it was the worker's scratch, which another worker may have room in.
        return requeue(s, job, reason, status.code === 'LIBRARY_DISK_FULL' && !streamed);
      }
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
      // Storage (SPEC workers[].storage): auto streams a file the worker does not see under its mediaRoots.
      const mapped = address.storage === 'stream' ? null : await mapPath(address, job.path);
      if (mapped !== null && 'refused' in mapped && (address.storage === 'shared' || !mapped.unseen)) {
        s.updateJob(job.id, { error: `not on ${worker.name}: ${mapped.refused}` });
        continue;
      }
      const shared = mapped !== null && !('refused' in mapped) ? mapped : null;
      if (job.tmpPath !== null) await rm(job.tmpPath, { force: true });
      const attempt = job.attempts + 1;
      const tmpPath = temporaryPath(job.path, job.id, attempt);
      // Recorded before asking, so a crash right after the POST still knows which file to clear.
      s.updateJob(job.id, { attempts: attempt, tmpPath, original, worker: worker.name, workerUrl: worker.url, step: shared === null ? STREAM_STEPS.upload : null });
      const quality = job.quality === null ? {} : { quality: job.quality };
      const started = shared !== null
        ? await startLibraryJob(address, { input: shared.path, output: join(dirname(shared.path), basename(tmpPath)), codec: job.codec, ...quality })
        : await startLibraryJob(address, { stream: { name: basename(job.path), size: original.size }, codec: job.codec, ...quality });
      if ('refused' in started) {
        const busy = started.status === 503;
        s.updateJob(job.id, { attempts: job.attempts, worker: null, workerUrl: null, step: null, error: `${worker.name} refused it: ${started.refused}` });
        if (busy) return false;
        if (started.status === 400) {
          s.updateJob(job.id, { state: 'failed', endedAt: now() });
          s.setFileOutcome(job.path, 'failed', started.refused);
        }
        continue;
      }
      const storage = shared === null ? 'stream' : 'shared';
      s.updateJob(job.id, { state: 'encoding', workerJobId: started.id, storage, startedAt: job.startedAt ?? now(), heardAt: now(), percent: 0, error: null });
      log.info({ job: job.id, path: job.path, worker: worker.name, codec: job.codec, attempt, storage }, `library job ${job.id} started on ${worker.name}${shared === null ? ' (stream mode)' : ''}: ${job.path}`);
      const row = s.getJob(job.id);
      if (shared === null && row !== undefined) startUpload(s, row, address, 0);
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
      let fresh = s.getJob(job.id);
      if (fresh?.state !== 'finishing') return;
      try {
        if (fresh.step === STREAM_STEPS.download) {
          if (!(await download(s, fresh))) return;
          fresh = s.getJob(job.id);
          if (fresh?.state !== 'finishing') return;
        }
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
    lastFleet = fleet;
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
      await Promise.all(uploads.values());
      store?.close();
    },
  };
}
