/** Waits until a file has stopped changing, so the watchdog never acts on a half-written binary. */
import { setTimeout as sleep } from 'node:timers/promises';
import { hashFile, type FileInfo } from '../core/cartridge-hash.ts';

/** Options of waitForSettle. */
export interface SettleOptions {
  path: string;
  settleMs: number;
  /** Counts filesystem events; any new event during the window restarts it. */
  eventCount: () => number;
  signal: AbortSignal;
}

/**
 * Resolves once `path` (or its absence: null) has stayed the same over a whole `settleMs`
 * window (inode, size, mtime, ctime and md5, each read afresh at both ends) with no filesystem
 * event in between; each new event or difference starts a new window. Rejects with an
 * AbortError when `signal` aborts.
 */
export async function waitForSettle(options: SettleOptions): Promise<FileInfo | null> {
  const { path, settleMs, signal } = options;
  let seen = options.eventCount();
  // The window's first reading is taken while the window runs: it starts at the window's start,
  // and a big binary's hash then costs no extra reaction time.
  let [before] = await Promise.all([readNow(path), sleep(settleMs, undefined, { signal })]);
  for (;;) {
    const after = await readNow(path);
    const events = options.eventCount();
    if (events === seen && sameContent(before, after)) return after;
    before = after;
    seen = events;
    await sleep(settleMs, undefined, { signal });
  }
}

/** True when two readings describe the same, unchanged file (or both say "absent"). */
export function sameContent(a: FileInfo | null, b: FileInfo | null): boolean {
  if (a === null || b === null) return a === b;
  return a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.md5 === b.md5;
}

// `fresh`: the bytes themselves, never a remembered md5; what it reads is remembered for the repair.
const readNow = (path: string) => hashFile(path, { fresh: true });
