/**
 * A random (version 4) UUID from /dev/urandom, for the cartridge's session id: node:crypto's
 * randomUUID is the same randomness, but loading node:crypto costs ~4 ms on every play.
 */
import { nodeCrypto, nodeFs } from './builtins.ts';

/** A v4 UUID (`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`) read from `source` (node:crypto's where it cannot be read). */
export function randomUuid(source = '/dev/urandom'): string {
  const fs = nodeFs();
  const bytes = Buffer.alloc(16);
  let fd: number | undefined;
  try {
    fd = fs.openSync(source, 'r');
    if (fs.readSync(fd, bytes, 0, 16, null) !== 16) throw new Error('short read');
  } catch {
    return nodeCrypto().randomUUID();
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
