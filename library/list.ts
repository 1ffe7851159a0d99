/** `library list`: every scanned file with what was (or would be) done, and the totals; `--json` as SPEC says. */
import { extname } from 'node:path';
import type { LibraryCodec, LibraryFileRow, LibraryJobRow, LibraryStore } from '../core/session-log/library-store.ts';
import { KEPT_CONTAINERS } from './estimate.ts';

/** A file's state in `list` (SPEC: candidate, queued, encoding, done, not-worthwhile, failed, skipped). */
export type ListState = 'candidate' | 'queued' | 'encoding' | 'done' | 'not-worthwhile' | 'failed' | 'skipped';

/** One row of `library list --json`'s `files`. */
export interface ListedFile {
  path: string;
  codec: string | null;
  size: number;
  state: ListState;
  saved_bytes: number;
  estimated_saving_bytes: number;
  duration_s: number | null;
  width: number | null;
  height: number | null;
  bitrate: number | null;
  streams: { type: string; codec: string | null; language: string | null }[];
  chapters: number;
  /** Why it is skipped, failed or not worthwhile; what a queued job waits on. */
  reason: string | null;
  /** The newest job of the file, if any. */
  job: { id: number; state: string; codec: string; worker: string | null; storage: 'shared' | 'stream' | null; percent: number | null; speed: number | null; eta_s: number | null; attempts: number; error: string | null; queued_at: number; ended_at: number | null } | null;
}

/** Whether the file is one an encode to `codec` would take, and if not why (from the scan's row). */
export function candidacy(file: LibraryFileRow, codec: LibraryCodec): { candidate: boolean; reason: string | null; estimate: number } {
  if (file.state === 'done' || file.state === 'not-worthwhile') return { candidate: false, reason: file.reason, estimate: 0 };
  if (!KEPT_CONTAINERS.has(extname(file.path).toLowerCase()) || file.codec === null || file.durationS === null) {
    return { candidate: false, reason: file.reason ?? 'not a video ffprobe could read', estimate: 0 };
  }
  if (file.codec === codec || (codec === 'hevc' && file.codec === 'av1')) return { candidate: false, reason: `already ${file.codec.toUpperCase()}`, estimate: 0 };
  const estimate = file.estimates[codec] ?? 0;
  if (estimate <= 0) return { candidate: false, reason: `its bitrate is already low for ${codec.toUpperCase()} (no saving expected)`, estimate: 0 };
  return { candidate: true, reason: null, estimate };
}

/** The list row of `file`, with its newest job (for `codec`'s candidacy). */
export function listedFile(file: LibraryFileRow, job: LibraryJobRow | undefined, codec: LibraryCodec): ListedFile {
  const { candidate, reason, estimate } = candidacy(file, codec);
  let state: ListState = file.state === 'candidate' || file.state === 'skipped' ? (candidate ? 'candidate' : 'skipped') : file.state;
  if (file.state === 'failed') state = 'failed';
  let why = state === 'candidate' ? null : state === 'failed' ? file.reason : reason;
  if (job !== undefined && (job.state === 'queued' || job.state === 'encoding' || job.state === 'finishing')) {
    state = job.state === 'queued' ? 'queued' : 'encoding';
    why = job.error;
  }
  return {
    path: file.path, codec: file.codec, size: file.size, state, saved_bytes: file.savedBytes, estimated_saving_bytes: candidate ? estimate : 0,
    duration_s: file.durationS, width: file.width, height: file.height, bitrate: file.bitrate,
    streams: file.streams.map((s) => ({ type: s.type, codec: s.codec, language: s.language })), chapters: file.chapters, reason: why,
    job: job === undefined ? null : {
      id: job.id, state: job.state, codec: job.codec, worker: job.worker, storage: job.storage, percent: job.percent, speed: job.speed, eta_s: job.etaS,
      attempts: job.attempts, error: job.error, queued_at: job.queuedAt, ended_at: job.endedAt,
    },
  };
}

/** The totals `list`, `status` and the dashboard show. */
export interface ListTotals {
  files: number;
  candidates: number;
  /** What encoding every candidate would likely save, bytes. */
  could_save_bytes: number;
  queued: number;
  encoding: number;
  done: number;
  not_worthwhile: number;
  failed: number;
  saved_bytes: number;
}

/** Every file (only candidates with `candidatesOnly`) and the totals over all of them. */
export function listLibrary(store: LibraryStore, codec: LibraryCodec, candidatesOnly = false): { files: ListedFile[]; totals: ListTotals } {
  const jobs = store.latestJobs();
  const all = store.listFiles().map((file) => listedFile(file, jobs.get(file.path), codec));
  const count = (state: ListState) => all.filter((f) => f.state === state).length;
  const totals: ListTotals = {
    files: all.length,
    candidates: count('candidate'),
    // Files already queued or encoding are counted where they are, not as what could still be saved.
    could_save_bytes: all.reduce((sum, f) => sum + (f.state === 'candidate' ? f.estimated_saving_bytes : 0), 0),
    queued: count('queued'),
    encoding: count('encoding'),
    done: count('done'),
    not_worthwhile: count('not-worthwhile'),
    failed: count('failed'),
    saved_bytes: all.reduce((sum, f) => sum + f.saved_bytes, 0),
  };
  return { files: candidatesOnly ? all.filter((f) => f.state === 'candidate') : all, totals };
}

/** Bytes in words: `1.4 GB`, `820 MB`, `12 kB` (powers of 1000, as disks are sold). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

/** The one-line totals: `12 files · 5 candidates could save 3.1 GB · 2 done, 1.2 GB saved · 1 failed`. */
export function formatTotals(t: ListTotals): string {
  const parts = [`${t.files} file${t.files === 1 ? '' : 's'}`, `${t.candidates} candidate${t.candidates === 1 ? '' : 's'} could save ${formatBytes(t.could_save_bytes)}`];
  if (t.queued + t.encoding > 0) parts.push(`${t.encoding} encoding, ${t.queued} queued`);
  parts.push(`${t.done} done, ${formatBytes(t.saved_bytes)} saved`);
  if (t.not_worthwhile > 0) parts.push(`${t.not_worthwhile} not worthwhile`);
  if (t.failed > 0) parts.push(`${t.failed} failed`);
  return parts.join(' · ');
}

/** The text table of `library list`. */
export function formatList(files: readonly ListedFile[], totals: ListTotals): string {
  const lines = files.map((f) => {
    const progress = f.state === 'encoding' && f.job !== null
      ? ` ${f.job.percent === null ? '?' : f.job.percent.toFixed(0)} %${f.job.speed === null ? '' : ` ${f.job.speed.toFixed(2)}×`}${f.job.eta_s === null ? '' : ` ETA ${Math.round(f.job.eta_s)} s`} on ${f.job.worker}`
      : '';
    const money = f.state === 'done' ? ` saved ${formatBytes(f.saved_bytes)}` : f.state === 'candidate' ? ` ~${formatBytes(f.estimated_saving_bytes)} to save` : '';
    const why = f.reason === null ? '' : `\n    ${f.reason}`;
    return `${f.state.padEnd(14)} ${(f.codec ?? '-').padEnd(6)} ${formatBytes(f.size).padStart(8)}  ${f.path}${money}${progress}${why}`;
  });
  return `${lines.join('\n')}${lines.length > 0 ? '\n' : ''}${formatTotals(totals)}\n`;
}
