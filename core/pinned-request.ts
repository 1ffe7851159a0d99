/**
 * Requests to workers for the tools off the cartridge's hot path (plexbeam-server, `workers`,
 * `worker drain`): an `https:` worker with a recorded fingerprint goes over a pinned connection
 * (core/tls-pin.ts) with node:https, since fetch cannot pin; anything else through
 * core/wire/worker-request.ts. Same answers, same errors.
 */
import { request as httpsRequest } from 'node:https';
import { connectPinned } from './tls-pin.ts';
import { requestWorker, type WorkerReply, type WorkerRequest } from './wire/worker-request.ts';

/** `requestWorker`, pinning the certificate when `fingerprint` is set for an https URL. */
export async function requestWorkerPinned(baseUrl: string, path: string, request: WorkerRequest & { fingerprint?: string }): Promise<WorkerReply> {
  const url = new URL(path, baseUrl);
  if (url.protocol !== 'https:' || request.fingerprint === undefined || request.fingerprint === '') return requestWorker(baseUrl, path, request);
  const deadline = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal === undefined ? deadline : AbortSignal.any([deadline, request.signal]);
  const socket = await connectPinned(url, request.fingerprint, signal);
  // No agent: with one (even agent: false) node:https would open a connection of its own.
  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.apiKey !== undefined && request.apiKey !== '') headers['x-api-key'] = request.apiKey;
  const payload = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const maxBytes = request.maxBytes ?? 4 << 20;
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: request.method ?? 'GET', headers, signal, createConnection: () => socket }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) req.destroy(Object.assign(new Error(`the answer is longer than ${maxBytes} bytes`), { code: 'ANSWER_TOO_LONG' }));
        else chunks.push(chunk);
      });
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: text });
        }
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}
