/**
 * Stream mode's followed output (docs/WORKER.md "Stream mode"): the body of
 * `GET /jobs/:id/files?path=&follow=1` is a run of frames, each a 13-byte header (kind: one byte,
 * offset: 8 bytes, length: 4 bytes, big-endian) and, for `data`, `length` bytes to write at
 * `offset`. `end` (offset = the file's final size) closes a complete file; `abandon` says the
 * worker stopped following it (the file is then fetched whole). Light: buffers only.
 */

/** Header bytes of every frame. */
export const FRAME_HEADER_BYTES = 13;
/** Frame kinds. */
export const FRAME_DATA = 0x64; // 'd'
export const FRAME_END = 0x65; // 'e'
export const FRAME_ABANDON = 0x61; // 'a'

/** One frame's header as read. */
export interface FrameHeader {
  kind: number;
  offset: number;
  length: number;
}

/** Encodes a frame header. */
export function encodeFrameHeader(kind: number, offset: number, length: number): Buffer {
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  header.writeUInt8(kind, 0);
  header.writeBigUInt64BE(BigInt(offset), 1);
  header.writeUInt32BE(length, 9);
  return header;
}

/** Decodes the header at the start of `bytes` (at least FRAME_HEADER_BYTES long); throws on an unknown kind or an offset past 2^53. */
export function decodeFrameHeader(bytes: Buffer): FrameHeader {
  const kind = bytes.readUInt8(0);
  if (kind !== FRAME_DATA && kind !== FRAME_END && kind !== FRAME_ABANDON) throw new Error(`unknown frame kind ${kind}`);
  const offset = bytes.readBigUInt64BE(1);
  if (offset > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`frame offset ${offset} too large`);
  return { kind, offset: Number(offset), length: bytes.readUInt32BE(9) };
}
