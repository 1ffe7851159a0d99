/** A file's identity: size, mtime, inode and a hash of its first and last MiB (what must not change under an encode). */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { FileIdentity } from '../core/session-log/library-store.ts';

const EDGE = 1 << 20;

/** Reads `path`'s identity; throws the fs error (ENOENT …) when it cannot. */
export async function readIdentity(path: string): Promise<FileIdentity> {
  const handle = await open(path, 'r');
  try {
    const info = await handle.stat();
    const hash = createHash('sha256');
    const head = Buffer.alloc(Math.min(EDGE, info.size));
    await handle.read(head, 0, head.length, 0);
    hash.update(head);
    if (info.size > EDGE) {
      const tail = Buffer.alloc(Math.min(EDGE, info.size - EDGE));
      await handle.read(tail, 0, tail.length, info.size - tail.length);
      hash.update(tail);
    }
    return { size: info.size, mtimeMs: Math.floor(info.mtimeMs), ino: info.ino, edges: hash.digest('hex') };
  } finally {
    await handle.close();
  }
}

/** What differs between two identities, in words (`size 10 → 12 bytes`), or null when they are the same file unchanged. */
export function identityChange(before: FileIdentity, after: FileIdentity): string | null {
  if (before.ino !== after.ino) return 'it was replaced by another file';
  if (before.size !== after.size) return `its size changed (${before.size} → ${after.size} bytes)`;
  if (before.mtimeMs !== after.mtimeMs) return 'its modification time changed';
  if (before.edges !== after.edges) return 'its content changed';
  return null;
}
