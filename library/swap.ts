/** The swap: the verified encode takes the original's name by one atomic rename, with fsyncs so a power cut leaves one or the other. */
import { constants } from 'node:fs';
import { copyFile, link, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { libraryTempName } from '../core/wire/library.ts';

/** fsyncs a file or a folder (a folder's fsync makes a rename or link in it durable). */
export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Where `--keep-original` keeps the original: `NAME.orig.EXT` beside it. */
export function keptOriginalPath(path: string): string {
  const ext = extname(path);
  return join(dirname(path), `${basename(path, ext)}.orig${ext}`);
}

/**
 * The encode's temporary name beside the original (the worker's contract, core/wire/library.ts):
 * hidden, `.NAME.plexbeam-job<id>x<attempt>.EXT`, so each attempt writes a file of its own.
 */
export function temporaryPath(path: string, jobId: number, attempt: number): string {
  return join(dirname(path), libraryTempName(basename(path), `job${jobId}x${attempt}`));
}

/**
 * Keeps the original as NAME.orig.EXT: a hard link (no copy, no space; atomic), else a copy that
 * is fsynced (a partial copy is removed). Refuses to overwrite an earlier NAME.orig.EXT that is
 * another file. Idempotent: a link made before a crash is recognised.
 */
export async function keepOriginal(path: string): Promise<string> {
  const kept = keptOriginalPath(path);
  const [original, existing] = await Promise.all([stat(path), stat(kept).catch(() => null)]);
  if (existing !== null) {
    if (existing.ino === original.ino) return kept;
    throw Object.assign(new Error(`${basename(kept)} already exists (an earlier original?); not overwritten`), { code: 'EEXIST' });
  }
  try {
    await link(path, kept);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV' && code !== 'EMLINK') throw error;
    try {
      await copyFile(path, kept, constants.COPYFILE_EXCL);
      await fsyncPath(kept);
    } catch (copyError) {
      await rm(kept, { force: true });
      throw copyError;
    }
  }
  await fsyncPath(dirname(path));
  return kept;
}

/** Renames the (fsynced, verified) `tmp` over `path` and fsyncs the folder. `afterRename` runs between the two (the crash-test hook). */
export async function renameOver(tmp: string, path: string, afterRename?: () => void): Promise<void> {
  await rename(tmp, path);
  afterRename?.();
  await fsyncPath(dirname(path));
}
