/**
 * The cartridge's side of a stream-mode job: answers the worker's `read` link messages from the
 * files the argv names (and refuses any other path), and fetches each announced output file into
 * place (temp file + rename) before the link's next message is handled, so Plex never hears of a
 * file that is not there whole. Every connection is the cartridge's: nothing listens here. In the
 * cartridge's bundle, light: built-ins come through core/builtins.ts when a job streams.
 */
import type { FileHandle } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { nodeFs, nodeHttp, nodeHttps } from '../../core/builtins.ts';
import { pinFor } from '../../core/worker-pins.ts';
import type { LinkMessage } from '../link-client.ts';
import { receiveFollowed, receiveFollowedRaw } from './follow.ts';
import { loopbackRead } from './loopback-input.ts';
import type { StreamPlan } from './plan.ts';

/** node:fs/promises, loaded when a job streams (core/builtins.ts: the cartridge's start-up path stays light). */
const fsp = () => nodeFs().promises;

/** The most one read may ask for (the worker asks 1 MiB). */
const MAX_READ = 4 << 20;
/** Read buffers kept for reuse (the worker keeps 4 reads in flight per ffmpeg connection). */
const MAX_SPARE_BUFFERS = 4;
/** Bytes gathered before one write of a fetched file. */
const WRITE_BATCH = 1 << 20;
/** The largest output file accepted (an Optimize mp4 of a long film fits). */
export const MAX_OUTPUT_BYTES = 256 * 2 ** 30;

export interface StreamSideOptions {
  worker: { url: string; apiKey: string };
  jobId: string;
  plan: StreamPlan;
  /** Says a refusal or a failure (once per kind). */
  warn(text: string): void;
}

export interface StreamSide {
  /** Answers a `read` message (not awaited: reads run side by side). */
  read(message: LinkMessage): void;
  /** Starts receiving the growing file a `follow` message offers (not awaited); its `file` message then puts it into place. */
  follow(message: LinkMessage): void;
  /** Fetches the file a `file` message announces and renames it into place; never throws. */
  fetch(message: LinkMessage): Promise<void>;
  /** Aborts what is in flight; temp files go. */
  close(): Promise<void>;
}

/** Creates the stream side of job `jobId`. */
export function createStreamSide(options: StreamSideOptions): StreamSide {
  const { plan } = options;
  const handles = new Map<string, Promise<FileHandle>>();
  const temps = new Set<string>();
  const open_ = new Set<{ destroy(): void }>();
  const said = new Set<string>();
  /** Followed outputs: Plex path → the temp file and its final size, once whole (null: fetch it whole). */
  const followed = new Map<string, Promise<{ part: string; size: number | null }>>();
  /** Read buffers (MAX_READ bytes each) whose answers were sent. */
  const buffers: Buffer[] = [];
  let closed = false;
  let temp = 0;
  /** A temp name Plex never looks for, in the output's folder: the rename is atomic. */
  const tempFor = (path: string) => {
    const part = join(dirname(path), `.${basename(path)}.plexbeam-${process.pid}-${(temp += 1)}.part`);
    temps.add(part);
    return part;
  };
  const drop = async (part: string) => {
    await fsp().rm(part, { force: true });
    temps.delete(part);
  };
  const warnOnce = (kind: string, text: string) => {
    if (said.has(kind)) return;
    said.add(kind);
    options.warn(text);
  };

  /** The worker's API key header, on every request. */
  const keyHeader: Record<string, string> = options.worker.apiKey ? { 'x-api-key': options.worker.apiKey } : {};
  /** One request to the worker, pinned where its certificate is. */
  const request = async (method: string, path: string, headers: Record<string, string>, body?: Buffer, onSent?: () => void): Promise<IncomingMessage> => {
    const url = new URL(path, options.worker.url);
    const pin = pinFor(url);
    const socket = pin === undefined ? undefined : await import('../../core/tls-pin.ts').then(({ connectPinned }) => connectPinned(url, pin));
    const client = url.protocol === 'https:' ? nodeHttps() : nodeHttp();
    const all = { ...headers, ...keyHeader, ...(body === undefined ? {} : { 'content-length': String(body.length) }) };
    return new Promise((resolve, reject) => {
      const req = client.request(url, { method, headers: all, ...(socket === undefined ? {} : { createConnection: () => socket }) }, resolve);
      const entry = { destroy: () => req.destroy(new Error('closed')) };
      open_.add(entry);
      req.on('close', () => open_.delete(entry));
      req.on('error', reject);
      req.end(body, onSent);
    });
  };
  const answer = async (rid: number, body: Buffer | null, refusal?: string, onSent?: () => void) => {
    const res = await request('PUT', `/jobs/${encodeURIComponent(options.jobId)}/reads/${rid}`, refusal === undefined ? {} : { 'x-plexbeam-read-error': refusal }, body ?? Buffer.alloc(0), onSent);
    res.resume();
  };

  return {
    read(message) {
      const rid = Number(message.rid);
      const path = String(message.path);
      const offset = Number(message.offset);
      const length = Math.min(Number(message.length), MAX_READ);
      if (closed) return;
      if (!plan.readable.has(path) || !Number.isSafeInteger(offset) || offset < 0 || !(length > 0)) {
        warnOnce(`refused:${path}`, `refused the worker's read of ${path}: not a file this job's argv names`);
        void answer(rid, null, 'not a file this job reads').catch(() => undefined);
        return;
      }
      if (plan.urls.has(path)) {
        void (async () => answer(rid, await loopbackRead(path, offset, length)))().catch((error: NodeJS.ErrnoException) => {
          if (!closed) warnOnce('read', `a read of Plex's loopback input for the worker failed (${error.code ?? error.message})`);
          if (!closed) void answer(rid, null, 'the Plex machine could not read it').catch(() => undefined);
        });
        return;
      }
      let handle = handles.get(path);
      if (handle === undefined) handles.set(path, (handle = fsp().open(path, 'r')));
      void (async () => {
        const buffer = buffers.pop() ?? Buffer.allocUnsafeSlow(MAX_READ);
        const { bytesRead } = await (await (handle as Promise<FileHandle>)).read(buffer, 0, length, offset);
        // Back to the pool once the socket has the bytes (fewer allocations of 4 MiB: less GC).
        await answer(rid, buffer.subarray(0, bytesRead), undefined, () => buffers.length < MAX_SPARE_BUFFERS && buffers.push(buffer));
      })().catch((error: NodeJS.ErrnoException) => {
        if (!closed) warnOnce('read', `a read for the worker failed (${error.code ?? error.message})`);
      });
    },
    follow(message) {
      const path = String(message.path);
      if (closed || followed.has(path)) return;
      if (!plan.names.accepts(path)) return warnOnce(`name:${path}`, `refused the worker's output ${path}: not a name this job's argv writes`);
      const part = tempFor(path);
      followed.set(path, (async () => {
        try {
          await fsp().mkdir(dirname(path), { recursive: true });
          const where = `/jobs/${encodeURIComponent(options.jobId)}/files?path=${encodeURIComponent(path)}&follow=1`;
          const url = new URL(where, options.worker.url);
          const file = await fsp().open(part, 'w', 0o644);
          try {
            if (url.protocol === 'http:' && pinFor(url) === undefined) {
              // Plain HTTP: a connection of its own, read into reused buffers (row 12a).
              const track = (socket: Socket) => {
                open_.add(socket);
                socket.once('close', () => open_.delete(socket));
              };
              return { part, size: await receiveFollowedRaw({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80), path: `${url.pathname}${url.search}`, headers: keyHeader }, file, MAX_OUTPUT_BYTES, track) };
            }
            const res = await request('GET', where, {});
            if (res.statusCode !== 200) {
              res.resume();
              return { part, size: null };
            }
            return { part, size: await receiveFollowed(res as AsyncIterable<Buffer>, file, MAX_OUTPUT_BYTES) };
          } finally {
            await file.close();
          }
        } catch {
          // Fetched whole once its `file` message comes.
          return { part, size: null };
        }
      })());
    },
    async fetch(message) {
      const path = String(message.path);
      const size = Number(message.size);
      if (closed) return;
      if (!plan.names.accepts(path)) return warnOnce(`name:${path}`, `refused the worker's output ${path}: not a name this job's argv writes`);
      if (!Number.isSafeInteger(size) || size < 0 || size > MAX_OUTPUT_BYTES) return warnOnce('size', `refused the worker's output ${path}: ${size} bytes is more than ${MAX_OUTPUT_BYTES}`);
      const following = followed.get(path);
      if (following !== undefined) {
        followed.delete(path);
        const got = await following;
        if (got.size === size && !closed) {
          try {
            await fsp().rename(got.part, path);
            temps.delete(got.part);
            return;
          } catch {
            // Fetched whole below.
          }
        }
        await drop(got.part);
        if (closed) return;
      }
      const part = tempFor(path);
      try {
        await fsp().mkdir(dirname(path), { recursive: true });
        const res = await request('GET', `/jobs/${encodeURIComponent(options.jobId)}/files?path=${encodeURIComponent(path)}`, {});
        if (res.statusCode !== 200) {
          res.resume();
          throw new Error(`HTTP ${res.statusCode}`);
        }
        const file = await fsp().open(part, 'w', 0o644);
        let written = 0;
        try {
          // Socket chunks (64 KiB) gathered into writes of about 1 MiB: fewer trips to the thread pool.
          let batch: Buffer[] = [];
          let batched = 0;
          for await (const chunk of res as AsyncIterable<Buffer>) {
            written += chunk.length;
            if (written > size) throw new Error(`more than the ${size} bytes announced`);
            batch.push(chunk);
            batched += chunk.length;
            if (batched < WRITE_BATCH) continue;
            await file.writev(batch);
            batch = [];
            batched = 0;
          }
          if (batched > 0) await file.writev(batch);
        } finally {
          await file.close();
        }
        if (written !== size) throw new Error(`${written} of ${size} bytes`);
        await fsp().rename(part, path);
        temps.delete(part);
      } catch (error) {
        await drop(part);
        if (!closed) warnOnce('fetch', `could not fetch ${path} from the worker (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      }
    },
    async close() {
      closed = true;
      for (const req of open_) req.destroy();
      await Promise.all([...temps].map((part) => fsp().rm(part, { force: true })));
      for (const handle of handles.values()) void handle.then((h) => h.close(), () => undefined);
    },
  };
}
