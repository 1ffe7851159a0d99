/** Doctor's requests to workers go through core/wire/worker-request.ts (shared with analyze). */
export { describeRequestError, requestWorker, type WorkerReply, type WorkerRequest } from '../../core/wire/worker-request.ts';

/** A short, single-line excerpt of a reply body for messages. */
export function excerpt(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const line = (text ?? '').replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
