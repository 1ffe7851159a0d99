/**
 * Stream mode: ships one growing output file (an Optimize mp4, a remux) to the cartridge while
 * ffmpeg writes it (`GET /jobs/:id/files?path=&follow=1`, frames of core/stream/follow-frames.ts),
 * so that little is left to send once ffmpeg exits. A muxer seeks back to patch what it wrote
 * (sizes, an index; `+faststart` rewrites the whole file), so every chunk shipped is remembered by
 * its CRC-32 and, once ffmpeg has exited, read again: a chunk that changed goes again, then `end`
 * (a chunk read after the exit is final and not read again; the check runs while what is left
 * is shipped). The next chunk is read while the socket drains the last.
 */
import { open, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';
import { encodeFrameHeader, FRAME_ABANDON, FRAME_DATA, FRAME_END } from '../../core/stream/follow-frames.ts';

/** Bytes per data frame (and per read of the file). */
export const FOLLOW_CHUNK = 1 << 20;
/** How often a file that has not grown is looked at again. */
const POLL_MS = 25;

export interface FileFollow {
  /** ffmpeg has exited: ship the rest, re-send what changed, end. */
  complete(): void;
  /** Stop following: an `abandon` frame, the response ends (the file is then fetched whole). */
  abandon(): void;
  /** Resolves true once the `end` frame was handed to the socket, false otherwise. */
  readonly done: Promise<boolean>;
}

/** Follows `file` (its path on the worker) on `res`; memory: two chunks (one read while the socket drains the other) plus the socket's buffer (back-pressure). */
export function followFile(file: string, res: ServerResponse): FileFollow {
  let exited = false;
  let abandoned = false;
  let wake: (() => void) | undefined;
  const nudge = () => wake?.();
  let gone = false;
  res.on('close', () => {
    gone = true;
    nudge();
  });
  // Chunk buffers go back to the pool once the socket has them (fewer allocations: less GC).
  const pool: Buffer[] = [];
  const take = () => pool.pop() ?? Buffer.allocUnsafeSlow(FOLLOW_CHUNK);
  /** The socket's drain of the last chunk written: awaited before the next write, so the next chunk is read meanwhile. */
  let draining: Promise<void> | null = null;
  const drained = () => new Promise<void>((resolve) => {
    // A reader gone while this chunk was read sends no 'drain' and no second 'close': do not wait.
    if (gone) return resolve();
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
  const send = async (kind: number, offset: number, data?: Buffer, buffer?: Buffer) => {
    if (draining !== null) await draining;
    draining = null;
    res.write(encodeFrameHeader(kind, offset, data?.length ?? 0));
    if (data !== undefined && !res.write(data, () => buffer !== undefined && pool.push(buffer))) draining = drained();
  };
  const run = async (): Promise<boolean> => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'no-store' });
    const handle = await open(file, 'r');
    let checking: Promise<{ offset: number; length: number }[]> | null = null;
    try {
      const shipped: { offset: number; length: number; crc: number }[] = [];
      let at = 0;
      /** The file's size when last looked at (looked at again once that much is shipped). */
      let known = 0;
      const ship = async (offset: number, length: number) => {
        // Read once ffmpeg has exited, a chunk is final: only those read before are checked again.
        const live = !exited;
        const buffer = take();
        const { bytesRead } = await handle.read(buffer, 0, length, offset);
        if (bytesRead === 0) return 0;
        const chunk = buffer.subarray(0, bytesRead);
        if (live) shipped.push({ offset, length: bytesRead, crc: crc32(chunk) });
        await send(FRAME_DATA, offset, chunk, buffer);
        return bytesRead;
      };
      /** The chunks shipped while ffmpeg ran whose bytes differ now, found once it exited, while the rest is shipped. */
      const changed = async (): Promise<{ offset: number; length: number }[]> => {
        const size = (await handle.stat()).size;
        const buffer = Buffer.allocUnsafeSlow(FOLLOW_CHUNK);
        const found: { offset: number; length: number }[] = [];
        for (const chunk of shipped) {
          if (gone || abandoned) break;
          if (chunk.offset >= size) continue;
          const length = Math.min(chunk.length, size - chunk.offset);
          const { bytesRead } = await handle.read(buffer, 0, length, chunk.offset);
          if (bytesRead !== chunk.length || crc32(buffer.subarray(0, bytesRead)) !== chunk.crc) found.push({ offset: chunk.offset, length });
        }
        return found;
      };
      for (;;) {
        if (gone) return false;
        if (abandoned) break;
        const finalNow = exited;
        if (finalNow) checking ??= changed();
        if (at >= known || finalNow) known = (await handle.stat()).size;
        const size = known;
        const got = size > at ? await ship(at, Math.min(FOLLOW_CHUNK, size - at)) : 0;
        at += got;
        if (got > 0) continue;
        if (finalNow) {
          // A file ffmpeg replaced (another inode) is not the one followed: it goes whole.
          const named = await stat(file).catch(() => null);
          if (named?.ino !== (await handle.stat()).ino) break;
          // What ffmpeg patched after it was shipped goes again (after its first copy: in order).
          for (const chunk of await (checking ?? changed())) {
            if (gone) return false;
            const again = take();
            const { bytesRead } = await handle.read(again, 0, chunk.length, chunk.offset);
            await send(FRAME_DATA, chunk.offset, again.subarray(0, bytesRead), again);
          }
          await send(FRAME_END, size);
          return await new Promise<boolean>((resolve) => {
            // A socket destroyed before the end was flushed never calls back: its 'close' answers.
            res.once('close', () => resolve(false));
            res.end(() => resolve(!gone));
          });
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, POLL_MS);
        });
      }
    } finally {
      await checking?.catch(() => undefined);
      await handle.close();
    }
    await send(FRAME_ABANDON, 0);
    res.end();
    return false;
  };
  const done = run().catch(() => {
    res.destroy();
    return false;
  });
  return {
    complete() {
      exited = true;
      nudge();
    },
    abandon() {
      abandoned = true;
      nudge();
    },
    done,
  };
}
