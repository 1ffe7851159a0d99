/**
 * The worker's side of a stream-mode job (docs/WORKER.md "Stream mode"): ffmpeg reads each input
 * over HTTP from the capture server (`/in/<job>/<token>/<n>`, Range requests with the file's
 * size), each range read forwarded to the cartridge as a `read` link message and answered by its
 * `PUT /jobs/:id/reads/<rid>`; ffmpeg writes into the job's mirror folder, and every output file
 * Plex must see is announced in the link (`file`) before the callback that names it, then served
 * to the cartridge (`GET /jobs/:id/files?path=`).
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { outputNames, type OutputNames } from '../../core/stream/output-names.ts';
import type { JobLink } from '../callbacks/link.ts';
import type { FileIdentity } from '../probe-cache.ts';
import { followFile, type FileFollow } from './follow.ts';

/** One streamed input: its path on the Plex machine, its size, and for a file the version the cartridge saw. */
export interface StreamInput {
  path: string;
  size: number;
  version?: string;
}

export interface JobStreamOptions {
  link: JobLink;
  /** The worker folder standing for the Plex machine's `/`: Plex path P is written at `mirror + P`. */
  mirror: string;
  inputs: readonly StreamInput[];
  /** Plex's argv and cwd (the output names come from them). */
  plexArgv: readonly string[];
  plexCwd: string;
  /** Prefix of the job's input URLs (input n is `inputBase + n`). */
  inputBase: string;
}

export interface JobStream {
  readonly mirror: string;
  /** The input URLs that stand for Plex's files (not its loopback URLs), each with what names this version of the file for the probe cache (`plex:<path>`; null without a version): ffprobe reads them as on shared storage. */
  readonly fileInputs: ReadonlyMap<string, FileIdentity | null>;
  /** Answers ffmpeg's `GET /in/.../<n>` (Range) from the cartridge's reads. */
  serveInput(n: number, req: IncomingMessage, res: ServerResponse): void;
  /** Takes the cartridge's `PUT /jobs/:id/reads/<rid>`. */
  settleRead(rid: number, req: IncomingMessage, res: ServerResponse): void;
  /** Serves an announced output file (`GET /jobs/:id/files?path=`), or with `follow` one offered while ffmpeg writes it (`&follow=1`); 404 for any other. */
  serveFile(path: string, res: ServerResponse, follow?: boolean): void;
  /** Announces the outputs a callback body names (and the literal ones, `header`, once they exist). */
  announceNamed(text: string): void;
  /** Announces every output not yet shipped as it is now, and waits (at most `timeoutMs`) until the cartridge fetched them. */
  finish(timeoutMs: number, wait: boolean): Promise<void>;
  /** Fails every read still pending (the job ended). */
  close(): void;
}

/** Bytes one read asks for, and how many reads one ffmpeg connection keeps in flight (its memory bound: 16 MiB; row 12a chose 4 MiB reads over 1 MiB ones, row 12d 4 in flight over 2: on a LAN the read requests queue behind the output going back). */
export const READ_CHUNK = 4 << 20;
export const READ_AHEAD = 4;
/** ffmpeg connections open at once per job (so a job holds at most 8 × 16 MiB of input). */
const MAX_CONNECTIONS = 8;
/** Bytes per read of an output file being served (fewer, larger socket writes: row 12a). */
const FILE_CHUNK = 1 << 20;
/** A literal output (not a numbered segment) this large while ffmpeg runs is offered to the cartridge to follow (`follow`). */
export const FOLLOW_MIN_BYTES = 256 << 10;
/** How often the literal outputs are looked at for such a file (soon: what ffmpeg writes before the follow starts is the lag the output keeps to its end, row 12d). */
const FOLLOW_SCAN_MS = 20;
/** A read the cartridge does not answer within this fails ffmpeg's request. */
const READ_TIMEOUT_MS = 30_000;

interface PendingRead {
  length: number;
  /** The answer as it came off the socket (no copy into one buffer: fewer allocations, less GC). */
  resolve(data: Buffer[]): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** Creates the stream side of one job. */
export function createJobStream(options: JobStreamOptions): JobStream {
  const names: OutputNames = outputNames(options.plexArgv, options.plexCwd);
  const pending = new Map<number, PendingRead>();
  /** Plex path → size announced. */
  const announced = new Map<string, number>();
  /** Announced, not yet fetched whole by the cartridge. */
  const unfetched = new Set<string>();
  /** Offered to follow (`follow` sent), and those the cartridge follows now. */
  const offered = new Set<string>();
  const follows = new Map<string, FileFollow>();
  let nextRid = 0;
  let connections = 0;
  let closed = false;
  let exited = false;

  const read = (path: string, offset: number, length: number): Promise<Buffer[]> => new Promise((resolve, reject) => {
    if (closed) return reject(new Error('the job ended'));
    const rid = (nextRid += 1);
    const timer = setTimeout(() => {
      pending.delete(rid);
      reject(new Error(`the cartridge did not answer read ${rid} within ${READ_TIMEOUT_MS} ms`));
    }, READ_TIMEOUT_MS);
    pending.set(rid, { length, resolve, reject, timer });
    options.link.send({ type: 'read', rid, path, offset, length });
  });

  const sizeOf = (path: string): number | null => {
    try {
      const stat = statSync(join(options.mirror, path));
      return stat.isFile() ? stat.size : null;
    } catch {
      return null;
    }
  };
  const announce = (path: string) => {
    // Named by a callback while ffmpeg runs: it must land now, so it goes whole, not followed.
    if (!exited && offered.delete(path)) {
      follows.get(path)?.abandon();
      follows.delete(path);
    }
    const size = sizeOf(path);
    if (size === null || announced.get(path) === size) return;
    announced.set(path, size);
    unfetched.add(path);
    options.link.send({ type: 'file', path, size });
  };
  const announceLiterals = () => {
    for (const path of listOutputs()) if (names.isLiteral(path) && !announced.has(path)) announce(path);
  };
  const listOutputs = (): string[] => {
    const found: string[] = [];
    for (const folder of names.folders) {
      let entries: string[] = [];
      try {
        entries = readdirSync(join(options.mirror, folder));
      } catch {
        continue;
      }
      for (const entry of entries) {
        const path = `${folder === '/' ? '' : folder}/${entry}`;
        if (names.accepts(path)) found.push(path);
      }
    }
    return found;
  };

  const literals = names.literals;
  const offerGrowing = () => {
    // A few stats (the argv's literal names), never a listing of a folder of segments.
    for (const path of literals) {
      if (announced.has(path) || offered.has(path) || (sizeOf(path) ?? 0) < FOLLOW_MIN_BYTES) continue;
      offered.add(path);
      options.link.send({ type: 'follow', path });
    }
  };
  const scan = setInterval(offerGrowing, FOLLOW_SCAN_MS);
  scan.unref();

  return {
    mirror: options.mirror,
    fileInputs: new Map(options.inputs.flatMap((input, n) => (/^https?:\/\//i.test(input.path) ? [] : [[`${options.inputBase}${n}`, input.version === undefined ? null : { path: `plex:${input.path}`, version: input.version }] as const]))),
    serveInput(n, req, res) {
      const input = options.inputs[n];
      if (input === undefined || closed) return void res.writeHead(404).end();
      if (connections >= MAX_CONNECTIONS) return void res.writeHead(503).end();
      const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''));
      const start = range?.[1] ? Number(range[1]) : 0;
      const end = Math.min(range?.[2] ? Number(range[2]) : input.size - 1, input.size - 1);
      if (start >= input.size && input.size > 0) return void res.writeHead(416, { 'content-range': `bytes */${input.size}` }).end();
      const headers = { 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream', 'content-length': String(Math.max(0, end + 1 - start)) };
      if (range !== null) res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${input.size}` });
      else res.writeHead(200, headers);
      if (req.method === 'HEAD' || end < start) return void res.end();
      connections += 1;
      let gone = false;
      res.on('close', () => (gone = true));
      const queue: Promise<Buffer[]>[] = [];
      let next = start;
      const fill = () => {
        while (!gone && queue.length < READ_AHEAD && next <= end) {
          const length = Math.min(READ_CHUNK, end + 1 - next);
          const chunk = read(input.path, next, length);
          chunk.catch(() => undefined);
          queue.push(chunk);
          next += length;
        }
      };
      const pump = async () => {
        fill();
        while (queue.length > 0 && !gone) {
          const data = await (queue.shift() as Promise<Buffer[]>);
          fill();
          if (data.length === 0) throw new Error('the cartridge sent no bytes');
          res.cork();
          let room = true;
          for (const chunk of data) room = res.write(chunk);
          res.uncork();
          // Back-pressure: a slow ffmpeg holds the reads, never the memory.
          if (!room) await new Promise((resolve) => { res.once('drain', resolve); res.once('close', resolve); });
        }
        res.end();
      };
      pump().catch(() => res.destroy()).finally(() => (connections -= 1));
    },
    settleRead(rid, req, res) {
      const entry = pending.get(rid);
      if (entry === undefined) {
        req.resume();
        return void res.writeHead(404).end();
      }
      pending.delete(rid);
      clearTimeout(entry.timer);
      const refused = req.headers['x-plexbeam-read-error'];
      if (refused !== undefined) {
        req.resume();
        entry.reject(new Error(`the cartridge refused the read: ${String(refused)}`));
        return void res.writeHead(204).end();
      }
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > entry.length) return req.destroy();
        chunks.push(chunk);
      });
      req.on('end', () => {
        entry.resolve(chunks);
        res.writeHead(204).end();
      });
      req.on('close', () => {
        if (!req.complete) entry.reject(new Error('the read was cut off'));
      });
    },
    serveFile(path, res, follow = false) {
      if (follow) {
        if (closed || !offered.has(path) || follows.has(path) || sizeOf(path) === null) return void res.writeHead(404).end();
        const followed = followFile(join(options.mirror, path), res);
        follows.set(path, followed);
        if (exited) followed.complete();
        void followed.done.then((whole) => {
          if (follows.get(path) === followed) follows.delete(path);
          if (whole) unfetched.delete(path);
        });
        return;
      }
      const size = announced.has(path) ? sizeOf(path) : null;
      if (size === null) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) });
      const stream = createReadStream(join(options.mirror, path), { start: 0, end: Math.max(0, size - 1), highWaterMark: FILE_CHUNK });
      if (size === 0) stream.destroy();
      stream.on('error', () => res.destroy());
      res.on('finish', () => unfetched.delete(path));
      if (size === 0) res.end();
      else stream.pipe(res);
    },
    announceNamed(text) {
      const tokens = text.split(/[\s,]+/).filter((token) => token !== '' && !token.startsWith('#') && !/^[a-z][a-z0-9+.-]*:/i.test(token));
      const paths = tokens.map((token) => (token.startsWith('/') ? token : `${options.plexCwd.replace(/\/$/, '')}/${token}`)).filter((path) => names.accepts(path));
      // A DASH manifest names its chunks by template: every chunk published so far goes first
      // (the publisher renames each into its final name only once it is whole).
      if (text.includes('<MPD')) paths.push(...listOutputs().filter((path) => !names.isLiteral(path)));
      if (paths.length === 0) return;
      announceLiterals();
      for (const path of paths) announce(path);
    },
    async finish(timeoutMs, wait) {
      exited = true;
      clearInterval(scan);
      for (const path of listOutputs()) announce(path);
      // A followed file now ships its last bytes and what ffmpeg patched (a cancelled job's stays where it is).
      for (const followed of follows.values()) (wait ? followed.complete() : followed.abandon());
      for (const deadline = Date.now() + timeoutMs; wait && unfetched.size > 0 && options.link.attached && Date.now() < deadline;) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close() {
      closed = true;
      clearInterval(scan);
      for (const followed of follows.values()) followed.abandon();
      for (const [rid, entry] of pending) {
        clearTimeout(entry.timer);
        entry.reject(new Error('the job ended'));
        pending.delete(rid);
      }
    },
  };
}
