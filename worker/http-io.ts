/** Request bodies and JSON answers for the worker API; PlexBeamError codes map to HTTP statuses here. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PlexBeamError, isPlexBeamError, type ErrorCode } from '../core/errors.ts';

const STATUS: Partial<Record<ErrorCode, number>> = {
  WORKER_BAD_REQUEST: 400,
  WORKER_UNAUTHORIZED: 401,
  WORKER_FORBIDDEN: 403,
  WORKER_NOT_FOUND: 404,
  WORKER_TOO_LARGE: 413,
  TRANSLATE_UNSUPPORTED: 422,
  WORKER_BUSY: 503,
};

/** Sends a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/** Sends `{ "error", "code" }` with the status the error's code maps to (500 for anything unexpected). */
export function sendError(res: ServerResponse, error: unknown): number {
  const status = isPlexBeamError(error) ? (STATUS[error.code] ?? 500) : 500;
  if (res.headersSent) {
    res.destroy();
    return status;
  }
  const message = status === 500 ? 'internal error (see the worker log)' : (error as Error).message;
  // The rest of an oversized body is not worth reading: close the connection after answering.
  if (status === 413) res.setHeader('connection', 'close');
  sendJson(res, status, { error: message, code: isPlexBeamError(error) && status !== 500 ? error.code : 'INTERNAL' });
  return status;
}

/** Reads and parses a JSON body of at most `maxBytes` (413 beyond, 400 when not JSON). */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const tooLarge = () => new PlexBeamError('WORKER_TOO_LARGE', `request body larger than worker.maxBodyBytes (${maxBytes} bytes)`);
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PlexBeamError('WORKER_BAD_REQUEST', `request body is not valid JSON: ${(error as Error).message}`);
  }
}
