/**
 * ffprobe facts kept per file, so that a seek (Plex restarts its transcoder at the new position)
 * and a second play of the same file start ffmpeg without probing again. A fact is kept only
 * for the file it was probed from: the key holds the path and the file's device, inode, size,
 * modification and change times (nanoseconds), so a file replaced, rewritten or touched is
 * probed again (its new facts replace the old). The cache holds at most `maxEntries` files,
 * least recently used out first.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { InputFacts } from './input-probe.ts';

/** A file as it is now: its absolute path, and what tells this file (and this version of it) from any other. */
export interface FileIdentity {
  path: string;
  /** Device, inode, size, mtime and ctime (ns). */
  version: string;
}

/** The facts of files probed before, one entry per path: a file probed again replaces its entry. */
export interface ProbeCache {
  /** The facts of `file`, when they were probed from this very version of it. */
  get(file: FileIdentity): InputFacts | undefined;
  set(file: FileIdentity, facts: InputFacts): void;
  readonly size: number;
}

/** 256 files: a few MB at most (ffprobe's stream list of a film is a few KB). */
const DEFAULT_MAX_ENTRIES = 256;

/** Creates an empty cache of at most `maxEntries` files. */
export function createProbeCache(maxEntries = DEFAULT_MAX_ENTRIES): ProbeCache {
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new TypeError(`Expected maxEntries to be a positive integer, got \`${String(maxEntries)}\` (${typeof maxEntries})`);
  // A Map iterates in insertion order: re-inserting on a hit makes its first key the least recently used.
  const entries = new Map<string, { version: string; facts: InputFacts }>();
  return {
    get(file) {
      const entry = entries.get(file.path);
      if (entry?.version !== file.version) return undefined;
      entries.delete(file.path);
      entries.set(file.path, entry);
      return entry.facts;
    },
    set(file, facts) {
      entries.delete(file.path);
      entries.set(file.path, { version: file.version, facts });
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries) break;
        entries.delete(oldest);
      }
    },
    get size() {
      return entries.size;
    },
  };
}

/** The file at `path` (relative to `cwd`) as it is now, or null when it cannot be stat'ed or is not a regular file. */
export async function identifyFile(path: string, cwd: string): Promise<FileIdentity | null> {
  const absolute = resolve(cwd, path);
  try {
    const s = await stat(absolute, { bigint: true });
    if (!s.isFile()) return null;
    return { path: absolute, version: [s.dev, s.ino, s.size, s.mtimeNs, s.ctimeNs].join(':') };
  } catch {
    return null;
  }
}
