/** Crash-safe file steps for the cartridge: hash, stage in a temporary, fsync, commit by rename. */
import type { BigIntStats } from 'node:fs';
import { copyFile, link, open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PlexBeamError } from './errors.ts';
import { hashFile, statOrNull as statFile, type FileInfo } from './cartridge-hash.ts';
import { tempOwner } from './cartridge-paths.ts';

export type { FileInfo } from './cartridge-hash.ts';

/** link(2) errors meaning "not on this filesystem" (or protected_hardlinks), not "cannot write". */
const LINK_UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'EXDEV']);

/** Turns a failed fs call into a PlexBeamError that says how to fix it. */
export function fileError(error: unknown, action: string, path: string): PlexBeamError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new PlexBeamError('PERMISSION_DENIED', `cannot ${action} ${path}: permission denied (${code}); run it as root, e.g. with sudo`, { cause: error });
  }
  return new PlexBeamError('IO', `cannot ${action} ${path}: ${(error as Error).message}`, { cause: error });
}

/** Stats `path` (bigint, for nanosecond times), or null when it does not exist. */
export async function statOrNull(path: string): Promise<BigIntStats | null> {
  try {
    return await statFile(path);
  } catch (error) {
    throw fileError(error, 'stat', path);
  }
}

/** Hashes `path` (see hashFile: unchanged files are not read twice), or null when it does not exist. */
export async function describeFile(path: string, options: { fresh?: boolean } = {}): Promise<FileInfo | null> {
  try {
    return await hashFile(path, options);
  } catch (error) {
    throw fileError(error, 'read', path);
  }
}

/** fsyncs a folder, so renames and links in it survive a power cut. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Stages a second name for `source`'s content at `temp`: a hard link when the filesystem allows
 * (no copy, and the exact bytes, mode and owner), else a copy with the same mode, fsynced.
 */
export async function stageCopy(source: string, temp: string, like: FileInfo): Promise<'link' | 'copy'> {
  try {
    await link(source, temp);
    return 'link';
  } catch (error) {
    if (!LINK_UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '')) throw fileError(error, 'link', source);
  }
  try {
    await copyFile(source, temp);
    await settleMetadata(temp, like);
    return 'copy';
  } catch (error) {
    throw fileError(error, 'copy', source);
  }
}

/** Writes `content` to a new file at `temp` with `like`'s mode and (as root) owner, fsynced. */
export async function stageContent(temp: string, content: string, like: Pick<FileInfo, 'mode' | 'uid' | 'gid'>): Promise<void> {
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
    await settleMetadata(temp, like);
  } catch (error) {
    throw fileError(error, 'write', temp);
  }
}

async function settleMetadata(path: string, like: Pick<FileInfo, 'mode' | 'uid' | 'gid'>): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.chmod(like.mode);
    // Only root can give a file away; anyone else already owns what they write.
    if (process.getuid?.() === 0) await handle.chown(like.uid, like.gid);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Atomically renames `temp` over `dest` and fsyncs the folder. */
export async function commitRename(temp: string, dest: string): Promise<void> {
  try {
    await rename(temp, dest);
    await fsyncDir(dirname(dest));
  } catch (error) {
    throw fileError(error, 'rename into place', dest);
  }
}

/**
 * Moves `source` to `dest` only if `dest` does not exist (link, then unlink the source): false,
 * with `source` left in place, when `dest` appeared meanwhile. A rename would clobber it.
 */
export async function moveIfAbsent(source: string, dest: string): Promise<boolean> {
  try {
    await link(source, dest);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (!LINK_UNSUPPORTED.has(code ?? '')) throw fileError(error, 'create', dest);
    // No hard links here: check, then rename (a narrow race, the best this filesystem allows).
    if ((await statOrNull(dest)) !== null) return false;
    await commitRename(source, dest);
    return true;
  }
  await fsyncDir(dirname(dest));
  await removeFile(source);
  return true;
}

/** Removes `path` if present and fsyncs its folder. */
export async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
    await fsyncDir(dirname(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError(error, 'remove', path);
  }
}

/** Removes temporaries of ours left in `dir` by processes that are gone (or by this one). */
export async function removeStaleTemps(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir)) {
    const owner = tempOwner(name);
    if (owner === null || (owner !== process.pid && isAlive(owner))) continue;
    await removeFile(join(dir, name));
    removed.push(basename(name));
  }
  return removed;
}

/** True when a process with this pid exists (EPERM: it exists but is someone else's). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
