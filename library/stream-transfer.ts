/**
 * Stream mode's transfers (docs/LIBRARY.md "Stream mode"), opened by plexbeam-server (nothing
 * connects to the Plex machine): the original uploaded to the worker's job in chunks at the
 * offset the worker has, and the encode downloaded, checked against its announced size and
 * SHA-256 and fsynced, into the temporary name beside the original. An `https:` worker with a
 * fingerprint goes over a pinned connection, as every other request to it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chown, open, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { connectPinned } from '../core/tls-pin.ts';
import { LIBRARY_CHUNK_BYTES, LIBRARY_SHA256_HEADER } from '../core/wire/library.ts';
import type { WorkerAddress } from './worker-client.ts';

/** A connection that carries no byte for this long is given up, in ms (a minute). */
export const TRANSFER_IDLE_MS = 60_000;

/** A transfer that failed: the worker's answer (`status`, its words) or the local error's `code` (`ENOSPC` …). */
export class TransferError extends Error {
  override name = 'TransferError';
  readonly status: number | null;
  readonly code: string | null;
  constructor(message: string, status: number | null, code: string | null) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Sends one request (with `body` streamed, if any) and resolves with the answer's head; the body is the caller's to read. */
async function send(worker: WorkerAddress, method: 'GET' | 'PUT', path: string, headers: Record<string, string | number>, body: Readable | null, signal: AbortSignal): Promise<IncomingMessage> {
  const url = new URL(path, worker.url);
  const pinned = url.protocol === 'https:' && worker.fingerprint !== undefined && worker.fingerprint !== '';
  const socket = pinned ? await connectPinned(url, worker.fingerprint as string, signal) : undefined;
  const all = { ...headers, ...(worker.apiKey === '' ? {} : { 'x-api-key': worker.apiKey }) };
  return new Promise((resolve, reject) => {
    const make = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = make(url, { method, headers: all, signal, ...(socket === undefined ? {} : { createConnection: () => socket }) }, resolve);
    req.setTimeout(TRANSFER_IDLE_MS, () => req.destroy(Object.assign(new Error(`no byte for ${TRANSFER_IDLE_MS / 1000} s`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    if (body === null) req.end();
    else {
      body.on('error', (error) => req.destroy(error));
      body.pipe(req);
    }
  });
}

/** Reads a (small) JSON answer. */
async function readJson(res: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= 1 << 20) chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return null;
  }
}

const describe = (error: unknown) => `${(error as NodeJS.ErrnoException).code ?? ''} ${(error as Error).message}`.trim();

/** Uploads `file` (`size` bytes) to the worker's job `id` from byte `from`, chunk by chunk; resolves once the worker has it all. */
export async function uploadInput(worker: WorkerAddress, id: string, file: string, size: number, from: number, signal: AbortSignal): Promise<void> {
  let offset = from;
  while (offset < size) {
    const length = Math.min(LIBRARY_CHUNK_BYTES, size - offset);
    let res: IncomingMessage;
    try {
      res = await send(worker, 'PUT', `/library/jobs/${encodeURIComponent(id)}/input?offset=${offset}`, { 'content-type': 'application/octet-stream', 'content-length': length }, createReadStream(file, { start: offset, end: offset + length - 1 }), signal);
    } catch (error) {
      throw new TransferError(`the upload was cut at byte ${offset} of ${size}: ${describe(error)}`, null, (error as NodeJS.ErrnoException).code ?? null);
    }
    const body = await readJson(res).catch(() => null);
    const received = res.statusCode === 200 ? body?.stream?.received : res.statusCode === 409 ? body?.received : undefined;
    // 409: the worker stands elsewhere (a chunk cut earlier): go on from there, if it still takes input.
    if (typeof received !== 'number' || (res.statusCode === 409 && received === offset && received < size)) {
      throw new TransferError(`the worker refused the upload at byte ${offset}: ${typeof body?.error === 'string' ? body.error : `HTTP ${res.statusCode}`}`, res.statusCode ?? 0, typeof body?.code === 'string' ? body.code : null);
    }
    offset = received;
  }
}

/**
 * Downloads the worker's encode of job `id` into `dest` (created exclusively, with the original's
 * `mode`, `uid` and `gid` where allowed), checks its length and SHA-256 against what the worker
 * announced, and fsyncs it. On any failure `dest` is removed and a TransferError thrown (`code`
 * ENOSPC for a full disk, `status` 404 when the worker no longer knows the job).
 */
export async function downloadOutput(worker: WorkerAddress, id: string, dest: string, owner: { mode: number; uid: number; gid: number }, signal: AbortSignal): Promise<{ size: number; sha256: string }> {
  let res: IncomingMessage;
  try {
    res = await send(worker, 'GET', `/library/jobs/${encodeURIComponent(id)}/output`, {}, null, signal);
  } catch (error) {
    throw new TransferError(`the download could not start: ${describe(error)}`, null, (error as NodeJS.ErrnoException).code ?? null);
  }
  if (res.statusCode !== 200) {
    const body = await readJson(res).catch(() => null);
    throw new TransferError(`the worker refused the download: ${typeof body?.error === 'string' ? body.error : `HTTP ${res.statusCode}`}`, res.statusCode ?? 0, null);
  }
  const expected = Number(res.headers['content-length']);
  const announced = res.headers[LIBRARY_SHA256_HEADER];
  let received = 0;
  const handle = await open(dest, 'wx', owner.mode & 0o666);
  try {
    const hash = createHash('sha256');
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        hash.update(chunk);
        await handle.write(chunk, 0, chunk.length);
        received += chunk.length;
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? null;
      throw new TransferError(code === 'ENOSPC' ? `no room beside the original for the encode (No space left on device after ${received} of ${expected} bytes)` : `the download was cut after ${received} of ${expected} bytes: ${describe(error)}`, null, code);
    }
    if (!Number.isSafeInteger(expected) || received !== expected) throw new TransferError(`the download ended after ${received} of ${expected} bytes`, null, null);
    const sha256 = hash.digest('hex');
    if (sha256 !== announced) throw new TransferError(`the download's SHA-256 (${sha256}) is not the one the worker announced (${String(announced)})`, null, null);
    await chown(dest, owner.uid, owner.gid).catch(() => undefined);
    try {
      await handle.sync();
    } catch (error) {
      throw new TransferError(`cannot fsync the encode: ${describe(error)}`, null, (error as NodeJS.ErrnoException).code ?? null);
    }
    return { size: received, sha256 };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(dest, { force: true });
    res.destroy();
    throw error;
  } finally {
    await handle.close().catch(() => undefined);
  }
}
