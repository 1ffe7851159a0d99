/**
 * Stream mode on the cartridge: receives a followed output (docs/WORKER.md "Stream mode": frames
 * of core/stream/follow-frames.ts) into its temp file while the worker's ffmpeg still writes it;
 * each frame's bytes are written where the frame says (patches included), and the file counts as
 * whole only at `end`, when every byte up to its final size has come. The caller renames it into
 * place once the link's `file` message for it agrees on the size. Loaded with stream/side.ts.
 */
import type { FileHandle } from 'node:fs/promises';
import { decodeFrameHeader, FRAME_ABANDON, FRAME_END, FRAME_HEADER_BYTES } from '../../core/stream/follow-frames.ts';

/** Bytes gathered (contiguous) before one write. */
const WRITE_BATCH = 1 << 20;

/** Writes the frames of `body` into `file`; resolves with the file's final size, or null when the worker abandoned it (or the body ended early). Throws on a frame past `maxBytes`. */
export async function receiveFollowed(body: AsyncIterable<Buffer>, file: FileHandle, maxBytes: number): Promise<number | null> {
  let header = Buffer.alloc(0);
  /** Bytes of the current data frame still to come, and where the next of them goes. */
  let remaining = 0;
  let position = 0;
  /** Every byte below this has come (the frames of a growing file are in order; patches fall below it). */
  let covered = 0;
  let batch: Buffer[] = [];
  let batchAt = 0;
  let batched = 0;
  const flush = async () => {
    if (batched > 0) await file.writev(batch, batchAt);
    batch = [];
    batched = 0;
  };
  for await (const chunk of body) {
    for (let at = 0; at < chunk.length;) {
      if (remaining > 0) {
        const take = Math.min(remaining, chunk.length - at);
        if (batched > 0 && batchAt + batched !== position) await flush();
        if (batched === 0) batchAt = position;
        batch.push(chunk.subarray(at, at + take));
        batched += take;
        position += take;
        remaining -= take;
        at += take;
        // A whole frame is written (the bytes held stay under one frame plus a batch).
        if (batched >= WRITE_BATCH || remaining === 0) await flush();
        continue;
      }
      const need = FRAME_HEADER_BYTES - header.length;
      header = Buffer.concat([header, chunk.subarray(at, at + need)]);
      at += Math.min(need, chunk.length - at);
      if (header.length < FRAME_HEADER_BYTES) continue;
      const frame = decodeFrameHeader(header);
      header = Buffer.alloc(0);
      if (frame.offset + frame.length > maxBytes) throw new Error(`a frame past the ${maxBytes} bytes an output may hold`);
      if (frame.kind === FRAME_ABANDON) return null;
      if (frame.kind === FRAME_END) {
        await flush();
        if (covered < frame.offset) throw new Error(`the followed file ended at ${frame.offset} bytes with only ${covered} received`);
        await file.truncate(frame.offset);
        return frame.offset;
      }
      remaining = frame.length;
      position = frame.offset;
      if (frame.offset <= covered) covered = Math.max(covered, frame.offset + frame.length);
    }
  }
  return null;
}
