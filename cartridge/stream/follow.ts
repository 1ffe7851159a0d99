/**
 * Stream mode on the cartridge: receives a followed output (docs/WORKER.md "Stream mode": frames
 * of core/stream/follow-frames.ts) into its temp file while the worker's ffmpeg still writes it;
 * each frame's bytes are written where the frame says (patches included), and the file counts as
 * whole only at `end`, when every byte up to its final size has come. The caller renames it into
 * place once the link's `file` message for it agrees on the size. Loaded with stream/side.ts.
 *
 * Two ways in: `receiveFollowed` takes any body (an HTTP response: TLS-pinned workers), and
 * `receiveFollowedRaw` reads a plain-HTTP worker's socket into reused buffers (no allocation per
 * socket read: the garbage collector was the largest cost of receiving in row 12a).
 */
import type { FileHandle } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { nodeNet } from '../../core/builtins.ts';
import { decodeFrameHeader, FRAME_ABANDON, FRAME_END, FRAME_HEADER_BYTES } from '../../core/stream/follow-frames.ts';

/** Bytes gathered (contiguous) before one write. */
const WRITE_BATCH = 1 << 20;
/** Writes queued before the body is held (back-pressure: a slow Plex-side disk slows the worker, never fills memory). */
const MAX_QUEUED_WRITES = 2;
/** Bytes per socket read of the raw receiver, and how many such buffers one follow may hold (its memory bound: 6 MiB). */
const RAW_BUFFER = 1 << 20;
const RAW_BUFFERS = 6;
/** The most a response head may hold. */
const MAX_HEAD = 16 << 10;

/** What a followed body turned into: the file's final size, or null (abandoned, or cut short: fetch it whole). */
export type Followed = number | null;

/** A push parser of follow frames that writes them in order into `file`. */
export interface FollowWriter {
  /** Parses `chunk` (throws on a bad frame); `release` is called once no write holds its bytes. True once `end` or `abandon` came. */
  take(chunk: Buffer, release?: () => void): boolean;
  /** Writes queued or running. */
  readonly queued: number;
  /** Starts the write of what is gathered (before the body is held). */
  flush(): void;
  /** Resolves once a queued write finished (at once when none is). */
  written(): Promise<void>;
  /** Resolves with the outcome once every write is done: null unless `end` came. */
  settle(): Promise<Followed>;
}

/** A writer into `file` (frames past `maxBytes` are refused). */
export function createFollowWriter(file: FileHandle, maxBytes: number): FollowWriter {
  let header = Buffer.alloc(0);
  /** Bytes of the current data frame still to come, and where the next of them goes. */
  let remaining = 0;
  let position = 0;
  /** Every byte below this has come (the frames of a growing file are in order; patches fall below it). */
  let covered = 0;
  let batch: Buffer[] = [];
  let holders: (() => void)[] = [];
  let batchAt = 0;
  let batched = 0;
  let queued = 0;
  let tail: Promise<void> = Promise.resolve();
  let failure: Error | null = null;
  let outcome: Followed | undefined;
  const waiters: (() => void)[] = [];
  const flush = () => {
    if (batched === 0) return;
    const pieces = batch;
    const releases = holders;
    const at = batchAt;
    batch = [];
    holders = [];
    batched = 0;
    queued += 1;
    tail = tail.then(async () => {
      try {
        if (failure === null) await file.writev(pieces, at);
      } catch (error) {
        failure ??= error as Error;
      } finally {
        queued -= 1;
        for (const release of releases) release();
        for (const wake of waiters.splice(0)) wake();
      }
    });
  };
  const take = (chunk: Buffer, release?: () => void): boolean => {
    /** Writes still holding this chunk's bytes, plus this call. */
    let holds = 1;
    const let_go = () => {
      holds -= 1;
      if (holds === 0) release?.();
    };
    try {
      for (let at = 0; at < chunk.length && outcome === undefined;) {
        if (remaining > 0) {
          const take = Math.min(remaining, chunk.length - at);
          if (batched > 0 && batchAt + batched !== position) flush();
          if (batched === 0) batchAt = position;
          batch.push(chunk.subarray(at, at + take));
          if (!holders.includes(let_go)) {
            holds += 1;
            holders.push(let_go);
          }
          batched += take;
          position += take;
          remaining -= take;
          at += take;
          // A whole frame is written (the bytes held stay under one frame plus a batch).
          if (batched >= WRITE_BATCH || remaining === 0) flush();
          continue;
        }
        const need = FRAME_HEADER_BYTES - header.length;
        header = Buffer.concat([header, chunk.subarray(at, at + need)]);
        at += Math.min(need, chunk.length - at);
        if (header.length < FRAME_HEADER_BYTES) continue;
        const frame = decodeFrameHeader(header);
        header = Buffer.alloc(0);
        if (frame.offset + frame.length > maxBytes) throw new Error(`a frame past the ${maxBytes} bytes an output may hold`);
        if (frame.kind === FRAME_ABANDON) {
          outcome = null;
        } else if (frame.kind === FRAME_END) {
          flush();
          if (covered < frame.offset) throw new Error(`the followed file ended at ${frame.offset} bytes with only ${covered} received`);
          outcome = frame.offset;
        } else {
          remaining = frame.length;
          position = frame.offset;
          if (frame.offset <= covered) covered = Math.max(covered, frame.offset + frame.length);
        }
      }
    } finally {
      let_go();
    }
    return outcome !== undefined;
  };
  return {
    take,
    get queued() {
      return queued;
    },
    flush,
    written: () => (queued === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    async settle() {
      await tail;
      if (failure !== null) throw failure;
      if (outcome === undefined || outcome === null) return null;
      await file.truncate(outcome);
      return outcome;
    },
  };
}

/** Writes the frames of `body` into `file`; resolves with the file's final size, or null when the worker abandoned it (or the body ended early). Throws on a frame past `maxBytes`. */
export async function receiveFollowed(body: AsyncIterable<Buffer>, file: FileHandle, maxBytes: number): Promise<Followed> {
  const writer = createFollowWriter(file, maxBytes);
  for await (const chunk of body) {
    if (writer.take(chunk)) break;
    if (writer.queued >= MAX_QUEUED_WRITES) await writer.written();
  }
  return writer.settle();
}

/** A plain-HTTP GET of a follow on its own connection. */
export interface RawFollowRequest {
  host: string;
  port: number;
  /** Path and query. */
  path: string;
  headers: Record<string, string>;
}

/**
 * `GET request` on a connection of its own, read into RAW_BUFFERS reused buffers, the frames written
 * into `file`. HTTP/1.0: the worker (Node) then sends the body unchunked until it closes. Resolves
 * null when the answer is not a 200 with such a body (the caller fetches the file whole), or as
 * `receiveFollowed`. `track` gets the socket (to destroy it when the job ends).
 */
export function receiveFollowedRaw(request: RawFollowRequest, file: FileHandle, maxBytes: number, track: (socket: Socket) => void = () => undefined): Promise<Followed> {
  return new Promise<Followed>((resolve, reject) => {
    const spare: Buffer[] = [];
    let out = 0;
    let held = false;
    let head: Buffer | null = Buffer.alloc(0);
    let over = false;
    let socket: Socket;
    const nextBuffer = () => {
      out += 1;
      return spare.pop() ?? Buffer.allocUnsafeSlow(RAW_BUFFER);
    };
    const giveBack = (buffer: Buffer) => () => {
      out -= 1;
      spare.push(buffer);
      // Resumed once a buffer is free again.
      if (held && out < RAW_BUFFERS && !over) {
        held = false;
        socket.resume();
      }
    };
    const writer = createFollowWriter(file, maxBytes);
    const finish = (value: Promise<Followed> | Followed) => {
      if (over) return;
      over = true;
      socket.destroy();
      Promise.resolve(value).then(resolve, reject);
    };
    const onData = (nread: number, buffer: Buffer): boolean => {
      if (over) return false;
      let body = buffer.subarray(0, nread);
      const release = giveBack(buffer);
      try {
        if (head !== null) {
          const seen = Buffer.concat([head, body]);
          const end = seen.indexOf('\r\n\r\n');
          if (end < 0) {
            head = seen;
            release();
            if (head.length > MAX_HEAD) finish(null);
            return !over;
          }
          const lines = seen.subarray(0, end).toString('latin1').split('\r\n');
          head = null;
          // Not a plain 200 body: fetched whole.
          if (!/^HTTP\/1\.[01] 200 /.test(lines[0] ?? '') || lines.some((line) => /^transfer-encoding:/i.test(line))) {
            release();
            finish(null);
            return false;
          }
          body = seen.subarray(end + 4);
          // The head's bytes were copied: this buffer is free now, the rest is a copy too.
          release();
          if (writer.take(body)) finish(writer.settle());
          return !over;
        }
        if (writer.take(body, release)) {
          finish(writer.settle());
          return false;
        }
      } catch (error) {
        finish(Promise.reject(error));
        return false;
      }
      if (out >= RAW_BUFFERS) {
        // Every buffer is held by a write: hold the socket (what is gathered goes to disk now).
        writer.flush();
        held = true;
        return false;
      }
      return true;
    };
    socket = nodeNet().connect({ host: request.host, port: request.port, onread: { buffer: nextBuffer, callback: onData } });
    track(socket);
    socket.on('connect', () => {
      const lines = [`GET ${request.path} HTTP/1.0`, `Host: ${request.host}:${request.port}`, ...Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`)];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    socket.on('error', () => finish(writer.settle().then(() => null)));
    // Ended without `end`: not whole.
    socket.on('close', () => finish(writer.settle().then(() => null)));
  });
}
