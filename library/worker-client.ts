/** The Plex side of the worker's library API (core/wire/library.ts, docs/WORKER.md): map a path, start, ask, cancel. */
import { requestWorkerPinned } from '../core/pinned-request.ts';
import type { LibraryJobRequestBody, LibraryJobStatus, LibraryStreamJobRequestBody } from '../core/wire/library.ts';
import { describeRequestError } from '../core/wire/worker-request.ts';

/** How to reach one worker. */
export interface WorkerAddress {
  name: string;
  url: string;
  apiKey: string;
  fingerprint?: string;
  /** `workers[].storage` (default auto: stream mode when the worker does not see the file). */
  storage?: 'auto' | 'shared' | 'stream';
}

/** Per request, in ms (a worker slower than this is silent for this round). */
export const WORKER_REQUEST_TIMEOUT_MS = 5000;

/** A request that got no usable answer: unreachable, or an answer that is not the contract's. */
export class WorkerSilentError extends Error {
  override name = 'WorkerSilentError';
}

async function ask(worker: WorkerAddress, path: string, method: 'GET' | 'POST' | 'DELETE', body?: unknown): Promise<{ status: number; body: any }> {
  try {
    return await requestWorkerPinned(worker.url, path, { method, body, apiKey: worker.apiKey, fingerprint: worker.fingerprint, timeoutMs: WORKER_REQUEST_TIMEOUT_MS });
  } catch (error) {
    throw new WorkerSilentError(`${worker.name}: ${describeRequestError(error, WORKER_REQUEST_TIMEOUT_MS)}`);
  }
}

const errorOf = (reply: { status: number; body: any }) => (typeof reply.body?.error === 'string' ? reply.body.error : `HTTP ${reply.status}`);

/**
 * Where the worker sees the Plex-side `path` (its `POST /paths/stat`: pathMap applied): the
 * worker-side path, or why it cannot be used (`unseen`: outside its mediaRoots, missing, not a
 * file there, so stream mode can serve it; else the question failed).
 */
export async function mapPath(worker: WorkerAddress, path: string): Promise<{ path: string } | { refused: string; unseen: boolean }> {
  const reply = await ask(worker, '/paths/stat', 'POST', { paths: [path] });
  const stat = Array.isArray(reply.body?.results) ? reply.body.results[0] : undefined;
  if (reply.status !== 200 || stat === undefined) return { refused: `paths/stat: ${errorOf(reply)}`, unseen: false };
  if (stat.root !== 'media') return { refused: `it is outside the worker's mediaRoots (as ${stat.mapped} there)`, unseen: true };
  if (stat.exists !== true || stat.kind !== 'file') return { refused: `the worker does not see it (${stat.mapped} is ${stat.exists === true ? `a ${stat.kind}` : 'missing'} there)`, unseen: true };
  return { path: String(stat.mapped) };
}

/** `POST /library/jobs`: the worker's job id, or why it refused (a 4xx/5xx answer). */
export async function startLibraryJob(worker: WorkerAddress, body: LibraryJobRequestBody | LibraryStreamJobRequestBody): Promise<{ id: string } | { refused: string; status: number }> {
  const reply = await ask(worker, '/library/jobs', 'POST', body);
  if (reply.status === 201 && typeof reply.body?.id === 'string') return { id: reply.body.id };
  return { refused: errorOf(reply), status: reply.status };
}

/** `GET /library/jobs/:id`: its status, or null when the worker does not know it (404: it restarted). */
export async function libraryJobStatus(worker: WorkerAddress, id: string): Promise<LibraryJobStatus | null> {
  const reply = await ask(worker, `/library/jobs/${encodeURIComponent(id)}`, 'GET');
  if (reply.status === 404) return null;
  if (reply.status !== 200 || typeof reply.body?.state !== 'string') throw new WorkerSilentError(`${worker.name}: library job ${id}: ${errorOf(reply)}`);
  return reply.body as LibraryJobStatus;
}

/** `DELETE /library/jobs/:id` (the worker stops ffmpeg and removes the output); false when it could not be asked. */
export async function cancelLibraryJob(worker: WorkerAddress, id: string): Promise<boolean> {
  try {
    const reply = await ask(worker, `/library/jobs/${encodeURIComponent(id)}`, 'DELETE');
    return reply.status === 200 || reply.status === 404;
  } catch {
    return false;
  }
}
