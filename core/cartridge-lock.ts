/** A lock file in Plex's folder so the CLI and the watchdog never change the cartridge at once. */
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { PlexBeamError } from './errors.ts';
import { fileError, isAlive } from './cartridge-files.ts';

/** How long to wait for another PlexBeam process to finish, in milliseconds (10 seconds). */
export const LOCK_WAIT_MS = 10_000;

/**
 * Runs `fn` holding the lock at `lockPath` (a file holding the owner's pid, created with O_EXCL).
 * A lock whose owner is dead (killed mid-change) is stale and taken over: the change it
 * interrupted is left in a consistent state by design, so the next holder just carries on.
 */
export async function withCartridgeLock<T>(lockPath: string, fn: () => Promise<T>, waitMs = LOCK_WAIT_MS): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const owner = await tryLock(lockPath);
    if (owner === null) break;
    // Our own pid is stale too: a restart (container, early boot) can reuse a dead owner's pid.
    if (owner === 'stale' || owner === process.pid || (owner !== 'unknown' && !isAlive(owner))) {
      await unlink(lockPath).catch(() => {});
      continue;
    }
    if (Date.now() >= deadline) {
      throw new PlexBeamError('CARTRIDGE_BUSY', `another PlexBeam process (pid ${owner}) is changing the cartridge; try again when it has finished (lock ${lockPath})`);
    }
    await sleep(50);
  }
  try {
    return await fn();
  } finally {
    await unlink(lockPath).catch(() => {});
  }
}

/** Creates the lock (null), or says who holds it: a pid, `unknown` (being written) or `stale`. */
async function tryLock(lockPath: string): Promise<number | 'unknown' | 'stale' | null> {
  try {
    const handle = await open(lockPath, 'wx', 0o644);
    try {
      await handle.writeFile(`${process.pid}\n`);
    } finally {
      await handle.close();
    }
    return null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw fileError(error, 'create the lock', lockPath);
  }
  const text = await readFile(lockPath, 'utf8').catch(() => '');
  const pid = Number.parseInt(text, 10);
  if (Number.isInteger(pid) && pid > 0) return pid;
  // No pid yet: its owner is between open and write (wait), or died there long ago (stale).
  const age = await stat(lockPath).then((s) => Date.now() - s.mtimeMs, () => 0);
  return age > 2000 ? 'stale' : 'unknown';
}
