/** Hashes the cartridge's files, remembering each file's md5 while its identity and times stay the same. */
import { createHash } from 'node:crypto';
import { createReadStream, type BigIntStats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isShim } from './cartridge-shim.ts';

/** What PlexBeam knows about one file: identity and times (for settle checks), mode and content hash. */
export interface FileInfo {
  readonly path: string;
  readonly md5: string;
  readonly size: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly ino: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  /** True when the content is a PlexBeam shim (marker in its first bytes). */
  readonly shim: boolean;
}

/** Files whose times are this close to "now" are not remembered: the clock tick may hide a write. */
const RACY_NS = 100_000_000n;
const cache = new Map<string, { key: string; md5: string; shim: boolean }>();

const identity = (stats: BigIntStats) => `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;

/**
 * Stats and hashes `path`, or returns null when it does not exist. A file unchanged since it was
 * last hashed (same device, inode, size, mtime and ctime; ctime cannot be set back by anyone) is
 * not read again: Plex's binary is tens of MB and is checked several times per update. `fresh`
 * always reads (the settle check wants the bytes themselves) and refreshes what is remembered.
 * Throws the fs error (ENOENT aside) for the caller to explain.
 */
export async function hashFile(path: string, options: { fresh?: boolean } = {}): Promise<FileInfo | null> {
  // File times are wall-clock times, so compare them with the wall clock.
  const startNs = BigInt(Date.now()) * 1_000_000n;
  const before = await statOrNull(path);
  if (before === null) return null;
  const known = cache.get(path);
  if (!options.fresh && known?.key === identity(before)) return toInfo(path, before, known.md5, known.shim);
  const hash = createHash('md5');
  let head = Buffer.alloc(0);
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      if (head.length < 512) head = Buffer.concat([head, chunk.subarray(0, 512)]);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const md5 = hash.digest('hex');
  const shim = isShim(head);
  const after = await statOrNull(path);
  // Remember only what did not change while we read it and is older than a clock tick.
  if (after !== null && identity(after) === identity(before) && after.mtimeNs < startNs - RACY_NS && after.ctimeNs < startNs - RACY_NS) {
    cache.set(path, { key: identity(after), md5, shim });
  } else {
    cache.delete(path);
  }
  return toInfo(path, before, md5, shim);
}

function toInfo(path: string, stats: BigIntStats, md5: string, shim: boolean): FileInfo {
  const { size, mode, uid, gid, ino, mtimeNs, ctimeNs } = stats;
  return { path, md5, size: Number(size), mode: Number(mode) & 0o7777, uid: Number(uid), gid: Number(gid), ino, mtimeNs, ctimeNs, shim };
}

/** Stats `path` (bigint, for nanosecond times), or null when it does not exist. */
export async function statOrNull(path: string): Promise<BigIntStats | null> {
  try {
    return await stat(path, { bigint: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
