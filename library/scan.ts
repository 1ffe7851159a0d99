/**
 * `library scan`: probes every video file under the folders, a few at a time, and records what it
 * found as it goes (an interrupted scan resumes: files unchanged by size and mtime are skipped).
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { LIBRARY_CODECS, type LibraryFileInput, type LibraryStore } from '../core/session-log/library-store.ts';
import { DEFAULT_CODEC, estimateSaving, skipReason } from './estimate.ts';
import { probeMedia } from './ffprobe.ts';
import { walkVideoFiles } from './video-files.ts';

/** How many ffprobes run at once (they read the start of each file: the disks, not the CPU, are the limit). */
export const SCAN_CONCURRENCY = 2;

/** What one scan did. */
export interface ScanSummary {
  /** Video files found. */
  found: number;
  /** Probed now (new or changed). */
  probed: number;
  /** Unchanged since the last scan (size and mtime), not probed again. */
  unchanged: number;
  /** Probed but unreadable by ffprobe (recorded as skipped, with the reason). */
  unreadable: number;
  /** Rows of files under these folders that are gone, removed. */
  removed: number;
}

export interface ScanOptions {
  concurrency?: number;
  /** Called after each file, with its path and what happened to it. */
  onFile?: (path: string, what: 'probed' | 'unchanged' | 'unreadable', file?: LibraryFileInput) => void;
}

/** Scans `dirs` (absolute or relative to the working directory) into `store`. */
export async function scanLibrary(store: LibraryStore, dirs: readonly string[], options: ScanOptions = {}): Promise<ScanSummary> {
  const summary: ScanSummary = { found: 0, probed: 0, unchanged: 0, unreadable: 0, removed: 0 };
  const seen = new Set<string>();
  const roots = dirs.map((dir) => resolve(dir));
  for (const root of roots) {
    const info = await stat(root);
    if (!info.isDirectory()) throw Object.assign(new Error(`${root} is not a folder`), { code: 'ENOTDIR' });
  }
  const paths = (async function* () {
    for (const root of roots) yield* walkVideoFiles(root);
  })();
  const worker = async () => {
    for (;;) {
      const next = await paths.next();
      if (next.done === true) return;
      const path = next.value;
      if (seen.has(path)) continue;
      seen.add(path);
      summary.found += 1;
      const what = await scanFile(store, path);
      summary[what.what] += 1;
      options.onFile?.(path, what.what, what.file);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? SCAN_CONCURRENCY) }, worker));
  for (const file of store.listFiles()) {
    const under = roots.some((root) => file.path.startsWith(`${root}/`));
    if (under && !seen.has(file.path) && store.activeJobFor(file.path) === undefined) {
      store.db.prepare('DELETE FROM library_files WHERE path = ?').run(file.path);
      summary.removed += 1;
    }
  }
  return summary;
}

/** Probes one file unless it is unchanged since its last scan, and records it. */
async function scanFile(store: LibraryStore, path: string): Promise<{ what: 'probed' | 'unchanged' | 'unreadable'; file?: LibraryFileInput }> {
  const info = await stat(path);
  const mtimeMs = Math.floor(info.mtimeMs);
  const known = store.getFile(path);
  if (known !== undefined && known.size === info.size && known.mtimeMs === mtimeMs) return { what: 'unchanged' };
  let file: LibraryFileInput;
  try {
    const report = await probeMedia(path);
    const reason = skipReason(path, report, DEFAULT_CODEC);
    file = {
      path, size: info.size, mtimeMs, container: report.container, codec: report.video?.codec ?? null,
      width: report.video?.width ?? null, height: report.video?.height ?? null, bitrate: report.bitrate, durationS: report.durationS,
      streams: report.streams, chapters: report.chapters.length, estimatedSaving: estimateSaving(path, report, info.size, DEFAULT_CODEC),
      estimates: Object.fromEntries(LIBRARY_CODECS.map((codec) => [codec, estimateSaving(path, report, info.size, codec)])),
      state: reason === null ? 'candidate' : 'skipped', reason,
    };
  } catch (error) {
    file = {
      path, size: info.size, mtimeMs, container: null, codec: null, width: null, height: null, bitrate: null, durationS: null,
      streams: [], chapters: 0, estimatedSaving: 0, estimates: {}, state: 'skipped', reason: (error as Error).message,
    };
    store.saveFile(file);
    return { what: 'unreadable', file };
  }
  store.saveFile(file);
  return { what: 'probed', file };
}
