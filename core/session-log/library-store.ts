/** Reads and writes the library tables (migration 5): scanned files and re-encode jobs. */
import type Database from 'better-sqlite3';
import { writing } from './failures.ts';
import { openDatabase } from './open-database.ts';
import {
  ACTIVE_JOB_STATES,
  type FileIdentity,
  type LibraryFileInput,
  type LibraryFileRow,
  type LibraryFileState,
  type LibraryJobInput,
  type LibraryJobRow,
  type LibraryJobState,
} from './library-types.ts';

export type * from './library-types.ts';
export { ACTIVE_JOB_STATES, LIBRARY_CODECS, LIBRARY_FILE_STATES, LIBRARY_JOB_STATES } from './library-types.ts';

/** The job columns a patch may set (camelCase name → column). */
const JOB_COLUMNS = {
  state: 'state', step: 'step', startedAt: 'started_at', endedAt: 'ended_at', attempts: 'attempts', worker: 'worker',
  workerUrl: 'worker_url', workerJobId: 'worker_job_id', storage: 'storage', heardAt: 'heard_at', percent: 'percent', speed: 'speed', etaS: 'eta_s',
  original: 'original', tmpPath: 'tmp_path', encoded: 'encoded', oldSize: 'old_size', newSize: 'new_size', savedBytes: 'saved_bytes', error: 'error',
} as const;
/** What a job update may change. */
export type LibraryJobPatch = Partial<Pick<LibraryJobRow, keyof typeof JOB_COLUMNS>>;

/** The library methods over one open database. */
export interface LibraryStore {
  readonly db: Database.Database;
  /** The file row for `path`, or undefined. */
  getFile(path: string): LibraryFileRow | undefined;
  /** Writes what a scan found (the row's saved bytes are kept). */
  saveFile(file: LibraryFileInput, at?: number): void;
  /** Sets a file's state after a job (and, when the file was replaced, its new size and mtime). */
  setFileOutcome(path: string, state: LibraryFileState, reason: string | null, replaced?: { size: number; mtimeMs: number; codec: string; savedBytes: number }): void;
  /** Every file, by path. */
  listFiles(): LibraryFileRow[];
  /** Queues a job and returns its id. */
  queueJob(job: LibraryJobInput): number;
  getJob(id: number): LibraryJobRow | undefined;
  /** Jobs in `states` (all when omitted), oldest first. */
  listJobs(states?: readonly LibraryJobState[]): LibraryJobRow[];
  /** The job of `path` that is not over, if any. */
  activeJobFor(path: string): LibraryJobRow | undefined;
  /** The newest job of every path (the row `library list` shows). */
  latestJobs(): Map<string, LibraryJobRow>;
  updateJob(id: number, patch: LibraryJobPatch): void;
  close(): void;
}

interface RawJob extends Omit<LibraryJobRow, 'keepOriginal' | 'original' | 'encoded'> {
  keepOriginal: number;
  original: string | null;
  encoded: string | null;
}

const FILE_SELECT = `path, size, mtime_ms AS mtimeMs, scanned_at AS scannedAt, container, codec, width, height, bitrate,
  duration_s AS durationS, streams, chapters, estimated_saving AS estimatedSaving, estimates, state, reason, saved_bytes AS savedBytes`;
const JOB_SELECT = `id, path, codec, quality, min_savings AS minSavings, keep_original AS keepOriginal, state, step, queued_at AS queuedAt,
  started_at AS startedAt, ended_at AS endedAt, attempts, worker, worker_url AS workerUrl, worker_job_id AS workerJobId,
  storage, heard_at AS heardAt, percent, speed, eta_s AS etaS, original, tmp_path AS tmpPath, encoded, old_size AS oldSize,
  new_size AS newSize, saved_bytes AS savedBytes, error`;

const toFile = (row: Omit<LibraryFileRow, 'streams' | 'estimates'> & { streams: string; estimates: string }): LibraryFileRow => ({
  ...row,
  streams: JSON.parse(row.streams),
  estimates: JSON.parse(row.estimates),
});
const toJob = (row: RawJob): LibraryJobRow => ({
  ...row,
  keepOriginal: row.keepOriginal === 1,
  original: row.original === null ? null : (JSON.parse(row.original) as FileIdentity),
  encoded: row.encoded === null ? null : (JSON.parse(row.encoded) as FileIdentity),
});
const active = ACTIVE_JOB_STATES.map((s) => `'${s}'`).join(', ');

/** Creates the library methods over `db` (a session log opened for writing, or read-only for `status`). */
export function createLibraryStore(db: Database.Database): LibraryStore {
  const readonly = db.readonly;
  const getFile = db.prepare(`SELECT ${FILE_SELECT} FROM library_files WHERE path = ?`);
  const listFiles = db.prepare(`SELECT ${FILE_SELECT} FROM library_files ORDER BY path`);
  const getJob = db.prepare(`SELECT ${JOB_SELECT} FROM library_jobs WHERE id = ?`);
  const allJobs = db.prepare(`SELECT ${JOB_SELECT} FROM library_jobs ORDER BY id`);
  const activeFor = db.prepare(`SELECT ${JOB_SELECT} FROM library_jobs WHERE path = ? AND state IN (${active}) ORDER BY id DESC LIMIT 1`);
  const latest = db.prepare(`SELECT ${JOB_SELECT} FROM library_jobs WHERE id IN (SELECT MAX(id) FROM library_jobs GROUP BY path)`);
  const write = readonly
    ? null
    : {
        saveFile: db.prepare(`INSERT INTO library_files (path, size, mtime_ms, scanned_at, container, codec, width, height, bitrate, duration_s,
            streams, chapters, estimated_saving, estimates, state, reason)
          VALUES (@path, @size, @mtimeMs, @scannedAt, @container, @codec, @width, @height, @bitrate, @durationS, @streams, @chapters,
            @estimatedSaving, @estimates, @state, @reason)
          ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, scanned_at = excluded.scanned_at,
            container = excluded.container, codec = excluded.codec, width = excluded.width, height = excluded.height,
            bitrate = excluded.bitrate, duration_s = excluded.duration_s, streams = excluded.streams, chapters = excluded.chapters,
            estimated_saving = excluded.estimated_saving, estimates = excluded.estimates, state = excluded.state, reason = excluded.reason`),
        outcome: db.prepare('UPDATE library_files SET state = ?, reason = ? WHERE path = ?'),
        replaced: db.prepare(`UPDATE library_files SET state = ?, reason = ?, size = ?, mtime_ms = ?, codec = ?, estimated_saving = 0, estimates = '{}',
          saved_bytes = saved_bytes + ? WHERE path = ?`),
        queue: db.prepare(`INSERT INTO library_jobs (path, codec, quality, min_savings, keep_original, state, queued_at)
          VALUES (@path, @codec, @quality, @minSavings, @keepOriginal, 'queued', @at)`),
      };
  const writer = () => {
    if (write === null) throw new Error('the library store is read-only');
    return write;
  };

  return {
    db,
    getFile(path) {
      const row = getFile.get(path) as Parameters<typeof toFile>[0] | undefined;
      return row === undefined ? undefined : toFile(row);
    },
    saveFile(file, at = Date.now()) {
      writing(`record the scan of ${file.path}`, () => writer().saveFile.run({ ...file, scannedAt: at, streams: JSON.stringify(file.streams), estimates: JSON.stringify(file.estimates) }));
    },
    setFileOutcome(path, state, reason, replaced) {
      writing(`record the outcome for ${path}`, () =>
        replaced === undefined
          ? writer().outcome.run(state, reason, path)
          : writer().replaced.run(state, reason, replaced.size, Math.floor(replaced.mtimeMs), replaced.codec, replaced.savedBytes, path),
      );
    },
    listFiles: () => (listFiles.all() as Parameters<typeof toFile>[0][]).map(toFile),
    queueJob(job) {
      const params = { ...job, quality: job.quality ?? null, keepOriginal: job.keepOriginal ? 1 : 0, at: job.at ?? Date.now() };
      return Number(writing(`queue ${job.path}`, () => writer().queue.run(params)).lastInsertRowid);
    },
    getJob(id) {
      const row = getJob.get(id) as RawJob | undefined;
      return row === undefined ? undefined : toJob(row);
    },
    listJobs(states) {
      const rows = (allJobs.all() as RawJob[]).map(toJob);
      return states === undefined ? rows : rows.filter((job) => states.includes(job.state));
    },
    activeJobFor(path) {
      const row = activeFor.get(path) as RawJob | undefined;
      return row === undefined ? undefined : toJob(row);
    },
    latestJobs: () => new Map((latest.all() as RawJob[]).map((row) => [row.path, toJob(row)])),
    updateJob(id, patch) {
      const entries = Object.entries(patch).filter(([key]) => key in JOB_COLUMNS) as [keyof typeof JOB_COLUMNS, unknown][];
      if (entries.length === 0) return;
      const sets = entries.map(([key]) => `${JOB_COLUMNS[key]} = @${key}`).join(', ');
      const params: Record<string, unknown> = { id };
      for (const [key, value] of entries) {
        params[key] = (key === 'original' || key === 'encoded') && value !== null ? JSON.stringify(value) : value;
      }
      writing(`update library job ${id}`, () => db.prepare(`UPDATE library_jobs SET ${sets} WHERE id = @id`).run(params));
    },
    close() {
      if (db.open) db.close();
    },
  };
}

/** Opens the session log at `path` for the library (migrating it; `readonly`: never writing, e.g. `status`). */
export function openLibraryStore(path: string, options: { readonly?: boolean } = {}): LibraryStore {
  return createLibraryStore(openDatabase(path, options.readonly === true));
}
