// Small filesystem helpers: read-if-present and write-then-rename (readers never see half a file).
import { readFile, rename, writeFile } from 'node:fs/promises';

/** File contents, or null when it does not exist (yet). */
export async function readIfPresent(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Writes `data` to `path` through a temporary name in the same folder. */
export async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.plexbeam-tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}
