/** A cross-process lock made of a directory, for tap's parallel test processes sharing one cache. */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const POLL_MS = 200;
/** A lock with no live owner, or older than this, is taken over (ten minutes). */
const STALE_MS = 10 * 60_000;

/** Runs `fn` while holding the lock `lockDir`; waits up to `timeoutMs` for another holder. */
export async function withDirLock<T>(lockDir: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await isStale(lockDir)) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for the lock ${lockDir}`);
    await sleep(POLL_MS);
  }
  try {
    await writeFile(join(lockDir, 'owner'), String(process.pid));
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

/** True when the lock's owner is gone, or it is older than STALE_MS. */
async function isStale(lockDir: string): Promise<boolean> {
  try {
    const { mtimeMs } = await stat(lockDir);
    if (Date.now() - mtimeMs > STALE_MS) return true;
    const pid = Number(await readFile(join(lockDir, 'owner'), 'utf8'));
    return Number.isInteger(pid) && pid > 0 && !isAlive(pid);
  } catch {
    return false; // just released, or the owner has not written its pid yet
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
