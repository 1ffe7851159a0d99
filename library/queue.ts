/** `library encode`: queues the candidates, biggest expected saving first, for plexbeam-server to hand out. */
import type { LibraryCodec, LibraryStore } from '../core/session-log/library-store.ts';
import { candidacy } from './list.ts';

export interface EncodeOptions {
  codec: LibraryCodec;
  /** CRF-like level for the worker's encoder (null: its default). */
  quality: number | null;
  /** An encode that saves less than this share of the file, in percent, is discarded. */
  minSavings: number;
  keepOriginal: boolean;
  /** At most this many new jobs (null: every candidate). */
  limit: number | null;
  /** Say what would be queued; write nothing. */
  dryRun: boolean;
}

/** One file queued (or that would be). */
export interface QueuedFile {
  path: string;
  job: number | null;
  size: number;
  estimated_saving_bytes: number;
}

/** Queues every candidate for `options.codec` that has no job in progress (a failed file is tried again); returns them. */
export function queueEncodes(store: LibraryStore, options: EncodeOptions): QueuedFile[] {
  const picked = store.listFiles()
    .filter((file) => file.state === 'candidate' || file.state === 'skipped' || file.state === 'failed')
    .map((file) => ({ file, c: candidacy(file, options.codec) }))
    .filter(({ file, c }) => c.candidate && store.activeJobFor(file.path) === undefined)
    .sort((a, b) => b.c.estimate - a.c.estimate || (a.file.path < b.file.path ? -1 : 1))
    .slice(0, options.limit ?? undefined);
  const queue = () => picked.map(({ file, c }): QueuedFile => ({
    path: file.path,
    size: file.size,
    estimated_saving_bytes: c.estimate,
    job: options.dryRun ? null : store.queueJob({ path: file.path, codec: options.codec, quality: options.quality, minSavings: options.minSavings, keepOriginal: options.keepOriginal }),
  }));
  return options.dryRun ? queue() : store.db.transaction(queue)();
}
