/** The library part of `plexbeam status` and the dashboard: totals (done, saved, failed) and each job in progress, from the session log (read-only). */
import { existsSync } from 'node:fs';
import { openLibraryStore } from '../core/session-log/library-store.ts';
import { DEFAULT_CODEC } from './estimate.ts';
import { formatBytes, formatTotals, listLibrary, type ListTotals } from './list.ts';

/** One job not over yet, as `status --json` shows it. */
export interface LibraryJobProgress {
  id: number;
  path: string;
  state: 'queued' | 'encoding' | 'finishing';
  codec: string;
  worker: string | null;
  /** How the worker reaches the file: `shared` or `stream` (null until one took the job). */
  storage: 'shared' | 'stream' | null;
  percent: number | null;
  speed: number | null;
  eta_s: number | null;
  /** What it waits on (paused by a live transcode, waiting to replace a file Plex plays, requeued …). */
  note: string | null;
}

/** `status --json`'s `library`. */
export interface LibraryStatus {
  totals: ListTotals;
  jobs: LibraryJobProgress[];
}

/** The library's state, or null when nothing was ever scanned (no session log, or one without the library tables). */
export function readLibraryStatus(dbPath: string): LibraryStatus | null {
  if (!existsSync(dbPath)) return null;
  let store;
  try {
    store = openLibraryStore(dbPath, { readonly: true });
  } catch {
    // Older than migration 5 (no writer has opened it since the upgrade), or unreadable: the rest of status says so.
    return null;
  }
  try {
    const { totals } = listLibrary(store, DEFAULT_CODEC);
    if (totals.files === 0 && store.listJobs().length === 0) return null;
    const jobs = store.listJobs(['encoding', 'finishing', 'queued']).map((job): LibraryJobProgress => ({
      id: job.id, path: job.path, state: job.state as LibraryJobProgress['state'], codec: job.codec, worker: job.worker, storage: job.storage,
      percent: job.percent, speed: job.speed, eta_s: job.etaS, note: job.error,
    }));
    return { totals, jobs };
  } finally {
    store.close();
  }
}

/** The text block: the totals line, then one line per job being encoded or finished (the queued ones counted only). */
export function formatLibraryStatus(status: LibraryStatus): string {
  const t = status.totals;
  const out = [`Library: ${t.done} done, ${formatBytes(t.saved_bytes)} saved · ${t.failed} failed · ${t.encoding} encoding, ${t.queued} queued`, `  ${formatTotals(t)}`];
  for (const job of status.jobs.filter((j) => j.state !== 'queued')) {
    const progress = job.state === 'finishing'
      ? 'verifying'
      : `${job.percent === null ? '?' : job.percent.toFixed(0)} %${job.speed === null ? '' : ` ${job.speed.toFixed(2)}×`}${job.eta_s === null ? '' : ` ETA ${Math.round(job.eta_s)} s`}`;
    out.push(`  #${job.id} ${job.codec.toUpperCase()} ${progress} on ${job.worker ?? '?'}${job.storage === 'stream' ? ' (streamed)' : ''}: ${job.path}${job.note === null ? '' : ` (${job.note})`}`);
  }
  return `${out.join('\n')}\n`;
}
