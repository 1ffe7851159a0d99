/** Rows of the library tables (migration 5): scanned files and re-encode jobs (docs/LIBRARY.md). */
import type { LibraryCodec } from '../wire/library.ts';

export { LIBRARY_CODECS, type LibraryCodec } from '../wire/library.ts';

/** What a scanned file is to the library: the closed set of `library_files.state`. */
export const LIBRARY_FILE_STATES = ['candidate', 'skipped', 'not-worthwhile', 'done', 'failed'] as const;
export type LibraryFileState = (typeof LIBRARY_FILE_STATES)[number];

/** Where a job is: the closed set of `library_jobs.state`. `finishing`: verify and swap on the Plex side. */
export const LIBRARY_JOB_STATES = ['queued', 'encoding', 'finishing', 'done', 'not-worthwhile', 'failed', 'cancelled'] as const;
export type LibraryJobState = (typeof LIBRARY_JOB_STATES)[number];

/** Jobs in these states are not over. */
export const ACTIVE_JOB_STATES: readonly LibraryJobState[] = ['queued', 'encoding', 'finishing'];

/** One stream as ffprobe listed it (what the verification compares). */
export interface LibraryStream {
  index: number;
  type: string;
  codec: string | null;
  language: string | null;
  channels: number | null;
}

/** A scanned file, as written by `library scan`. */
export interface LibraryFileInput {
  path: string;
  size: number;
  mtimeMs: number;
  container: string | null;
  codec: string | null;
  width: number | null;
  height: number | null;
  /** Bits per second, the whole file. */
  bitrate: number | null;
  durationS: number | null;
  streams: LibraryStream[];
  chapters: number;
  /** Bytes an encode to the default codec would likely save (an estimate from bitrate and resolution). */
  estimatedSaving: number;
  /** The estimate per codec (bytes). */
  estimates: Partial<Record<LibraryCodec, number>>;
  state: LibraryFileState;
  reason: string | null;
}

/** A file row. */
export interface LibraryFileRow extends LibraryFileInput {
  scannedAt: number;
  /** Bytes saved by the encode that replaced it (0 until then). */
  savedBytes: number;
}

/** Who a file is: what must not change between queueing and the swap (the original) or between verify and swap (the new file). */
export interface FileIdentity {
  size: number;
  mtimeMs: number;
  ino: number;
  /** SHA-256 of the first and last MiB. */
  edges: string;
}

/** A job row. */
export interface LibraryJobRow {
  id: number;
  path: string;
  codec: LibraryCodec;
  quality: number | null;
  minSavings: number;
  keepOriginal: boolean;
  state: LibraryJobState;
  /** The last step reached on the Plex side (library/steps.ts). */
  step: string | null;
  queuedAt: number;
  startedAt: number | null;
  endedAt: number | null;
  attempts: number;
  worker: string | null;
  workerUrl: string | null;
  workerJobId: string | null;
  /** How the worker reached the file (`shared` or `stream`), once one took the job. */
  storage: 'shared' | 'stream' | null;
  /** When the worker last answered about this job (ms). */
  heardAt: number | null;
  percent: number | null;
  speed: number | null;
  etaS: number | null;
  original: FileIdentity | null;
  tmpPath: string | null;
  encoded: FileIdentity | null;
  oldSize: number | null;
  newSize: number | null;
  savedBytes: number | null;
  error: string | null;
}

/** What `library encode` queues. */
export interface LibraryJobInput {
  path: string;
  codec: LibraryCodec;
  quality: number | null;
  minSavings: number;
  keepOriginal: boolean;
  at?: number;
}
