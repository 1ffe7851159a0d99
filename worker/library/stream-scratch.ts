/**
 * A stream-mode library job's scratch (docs/WORKER.md "Library re-encode in stream mode"): the
 * folder `<scratchRoot>/library-stream/<job id>/` (0700) holds the uploaded original `input.EXT`
 * and the encode `.input.plexbeam-output.EXT`, nothing else; only the worker names files in it.
 * The upload comes in chunks at the offset already received; a chunk cut short is truncated away.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { PlexBeamError } from '../../core/errors.ts';
import { LIBRARY_CHUNK_BYTES } from '../../core/wire/library.ts';

/** Room kept free beyond the input and an output as large as it, in bytes (16 MiB). */
export const SCRATCH_MARGIN_BYTES = 16 << 20;

/** One job's scratch and its upload. */
export interface StreamScratch {
  readonly dir: string;
  readonly input: string;
  readonly output: string;
  /** The inode of the (empty, worker-created) output. */
  readonly ino: number;
  readonly size: number;
  received: number;
  /** True while a chunk is being written (one at a time). */
  writing: boolean;
  outputSize: number | null;
  sha256: string | null;
}

const diskFull = (message: string) => new PlexBeamError('LIBRARY_DISK_FULL', message);

/** The folder that holds every stream job's scratch. */
export const streamScratchRoot = (scratchRoot: string) => join(scratchRoot, 'library-stream');

/**
 * Creates the job's folder and its two empty files, after checking that the disk has room for the
 * input, an output as large, and the margin, beside what the other stream jobs reserved (`reserved`
 * bytes): else LIBRARY_DISK_FULL (the route answers 507), with nothing left behind.
 */
export function createStreamScratch(scratchRoot: string, id: string, ext: string, size: number, reserved: number): StreamScratch {
  const root = streamScratchRoot(scratchRoot);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const info = statfsSync(root);
  const free = info.bavail * info.bsize;
  const needed = 2 * size + SCRATCH_MARGIN_BYTES + reserved;
  if (free < needed) {
    throw diskFull(`the worker's scratch (${root}) has ${free} bytes free; this job needs ${2 * size + SCRATCH_MARGIN_BYTES} (the input, an output as large, 16 MiB)${reserved > 0 ? ` beside ${reserved} reserved by other jobs` : ''}`);
  }
  const dir = join(root, id);
  mkdirSync(dir, { mode: 0o700 });
  try {
    const input = join(dir, `input${ext}`);
    const output = join(dir, `.input.plexbeam-output${ext}`);
    closeSync(openSync(input, 'wx', 0o600));
    const fd = openSync(output, 'wx', 0o600);
    const ino = fstatSync(fd).ino;
    closeSync(fd);
    return { dir, input, output, ino, size, received: 0, writing: false, outputSize: null, sha256: null };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Removes the job's folder and everything in it. */
export function removeStreamScratch(scratch: StreamScratch): void {
  rmSync(scratch.dir, { recursive: true, force: true });
}

/** Removes every job folder under the stream root whose id `keep` does not hold (a dead worker's leftovers); the ids removed. */
export function cleanStreamScratch(scratchRoot: string, keep: (id: string) => boolean): string[] {
  const root = streamScratchRoot(scratchRoot);
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const removed = names.filter((name) => !keep(name));
  for (const name of removed) rmSync(join(root, name), { recursive: true, force: true });
  return removed;
}

/** The checked `offset` and length of a chunk request (400 when malformed, 413 too long), or a conflict: not where the upload stands (the route answers 409). */
export function checkChunk(scratch: StreamScratch, offsetText: string | null, lengthHeader: string | undefined): { offset: number; length: number } | { conflict: string } {
  if (offsetText === null || !/^\d{1,15}$/.test(offsetText)) throw new PlexBeamError('WORKER_BAD_REQUEST', `offset: expected a whole number of bytes, got ${JSON.stringify(offsetText)}`);
  if (lengthHeader === undefined || !/^\d{1,15}$/.test(lengthHeader)) throw new PlexBeamError('WORKER_BAD_REQUEST', 'a chunk needs a Content-Length (no chunked encoding)');
  const offset = Number(offsetText);
  const length = Number(lengthHeader);
  if (length === 0 || length > LIBRARY_CHUNK_BYTES) throw new PlexBeamError('WORKER_TOO_LARGE', `a chunk carries 1 to ${LIBRARY_CHUNK_BYTES} bytes, got ${length}`);
  if (scratch.writing) return { conflict: 'another chunk of this input is being written' };
  if (offset !== scratch.received) return { conflict: `offset ${offset}: the worker has received ${scratch.received} bytes; send from there` };
  if (offset + length > scratch.size) throw new PlexBeamError('WORKER_BAD_REQUEST', `the chunk ends at ${offset + length}, past the input's size (${scratch.size} bytes)`);
  return { offset, length };
}

/**
 * Writes one chunk of the body at `offset` of the input. A body that ends short (the connection
 * cut) or a failed write leaves the input as it was before the chunk (truncated back); a full
 * disk is LIBRARY_DISK_FULL. Returns the bytes received in all.
 */
export async function writeChunk(scratch: StreamScratch, req: IncomingMessage, offset: number, length: number): Promise<number> {
  scratch.writing = true;
  const handle = await open(scratch.input, 'r+');
  let position = offset;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      if (position + chunk.length > offset + length) throw new PlexBeamError('WORKER_BAD_REQUEST', 'the chunk is longer than its Content-Length');
      await handle.write(chunk, 0, chunk.length, position);
      position += chunk.length;
    }
    if (position !== offset + length) throw new PlexBeamError('WORKER_BAD_REQUEST', `the chunk ended after ${position - offset} of ${length} bytes`);
    scratch.received = position;
    return position;
  } catch (error) {
    await handle.truncate(offset).catch(() => undefined);
    if ((error as NodeJS.ErrnoException).code === 'ENOSPC') throw diskFull(`the worker's scratch is full (No space left on device) after ${position} of ${scratch.size} bytes of the input`);
    if (error instanceof PlexBeamError) throw error;
    throw new PlexBeamError('WORKER_BAD_REQUEST', `the chunk was cut after ${position - offset} of ${length} bytes (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  } finally {
    scratch.writing = false;
    await handle.close();
  }
}

/** Records the finished encode's size and SHA-256 (what `GET …/output` announces). */
export async function sealOutput(scratch: StreamScratch): Promise<void> {
  const handle = await open(scratch.output, 'r');
  try {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of handle.createReadStream({ autoClose: false }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
    }
    scratch.outputSize = size;
    scratch.sha256 = hash.digest('hex');
  } finally {
    await handle.close();
  }
}
