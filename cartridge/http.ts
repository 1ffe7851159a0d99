/**
 * Minimal JSON-over-HTTP client for the cartridge's requests to workers (health, dispatch,
 * replies, cancel). Plain `http:` goes over node:net with `Connection: close`: node:http and
 * undici take longer to load than the whole request, and the health check and the dispatch sit
 * on the start-up path. Pinned `https:` workers get the same request on a checked TLS connection
 * (core/tls-pin.ts); unpinned ones go through node:https, which checks the certificate against the CAs.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { nodeHttps, nodeNet } from '../core/builtins.ts';
import { pinFor } from '../core/worker-pins.ts';
import { keepPinned, takePinned, warmPinned } from './pinned-connections.ts';

export interface JsonResponse {
  status: number;
  body: unknown;
  text: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal;
}

/** Sends one request and parses a JSON answer (`body` is null when the answer is not JSON). */
export function requestJson(url: string, options: RequestOptions = {}): Promise<JsonResponse> {
  const target = new URL(url);
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (payload) headers['content-type'] = 'application/json';
  headers['content-length'] = String(payload?.length ?? 0);
  const send = target.protocol === 'https:' ? sendHttps : sendPlain;
  return send(target, options.method ?? 'GET', headers, payload, options.signal).then(({ status, raw }) => {
    const text = raw.toString('utf8');
    let body: unknown = null;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      body = null;
    }
    return { status, body, text };
  });
}

/** Opens the connection to a pinned https worker now, for its next request to take (no-op for any other). */
export function warmConnection(url: string, timeoutMs: number): void {
  const target = new URL(url);
  const pin = pinFor(target);
  if (pin !== undefined) warmPinned(target, pin, AbortSignal.timeout(timeoutMs));
}

type Answer = { status: number; raw: Buffer; closes?: boolean };

function sendPlain(url: URL, method: string, headers: Record<string, string>, payload: Buffer | undefined, signal: AbortSignal | undefined): Promise<Answer> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return exchange(nodeNet().connect({ host, port: Number(url.port || 80) }), url, method, headers, payload, signal);
}

/**
 * Writes one request on `socket` (plain, or TLS once its pin matched) and reads the answer: until
 * the server closes (`Connection: close`), or, with `keep`, until the answer is whole, when the
 * connection is handed to `keep` for the next request (unless the server said it closes it).
 */
function exchange(socket: Socket, url: URL, method: string, headers: Record<string, string>, payload: Buffer | undefined, signal: AbortSignal | undefined, keep?: (socket: Socket) => void): Promise<Answer> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      socket.destroy();
      return reject(signal.reason);
    }
    const onAbort = () => socket.destroy(signal?.reason as Error);
    signal?.addEventListener('abort', onAbort, { once: true });
    const head = [`${method} ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`, `connection: ${keep === undefined ? 'close' : 'keep-alive'}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    socket.setNoDelay(true);
    socket.write(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), payload ?? Buffer.alloc(0)]));
    const chunks: Buffer[] = [];
    let settled = false;
    const settle = (reuse: boolean) => {
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      socket.removeListener('data', onData).removeListener('error', onError).removeListener('end', onEnd);
      let answer: Answer;
      try {
        answer = parseResponse(Buffer.concat(chunks));
      } catch (error) {
        socket.destroy();
        return reject(error as Error);
      }
      if (reuse && keep !== undefined && !answer.closes) keep(socket);
      else socket.destroy();
      resolve(answer);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      if (keep !== undefined && !settled && isWhole(Buffer.concat(chunks))) settle(true);
    };
    const onError = (error: Error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(error);
    };
    const onEnd = () => {
      if (!settled) settle(false);
    };
    socket.on('data', onData).on('error', onError).on('end', onEnd);
  });
}

/** Splits a complete HTTP/1.1 response (read until the server closed the connection, or whole by isWhole). */
function parseResponse(data: Buffer): Answer {
  const end = data.indexOf('\r\n\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(data.subarray(0, 16).toString('latin1'))?.[1];
  if (end === -1 || status === undefined) throw Object.assign(new Error('malformed HTTP answer'), { code: 'EPROTO' });
  const head = data.subarray(0, end).toString('latin1').toLowerCase();
  let body = data.subarray(end + 4);
  if (/\r\ntransfer-encoding:[^\r]*chunked/.test(head)) body = unchunk(body).body;
  else {
    const length = /\r\ncontent-length:\s*(\d+)/.exec(head)?.[1];
    if (length !== undefined) body = body.subarray(0, Number(length));
  }
  return { status: Number(status), raw: body, closes: /\r\nconnection:[^\r]*close/.test(head) };
}

/** True once `data` holds a whole answer whose end its headers tell (a length, or the last chunk); one that ends only at the close never is. */
function isWhole(data: Buffer): boolean {
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return false;
  const head = data.subarray(0, end).toString('latin1').toLowerCase();
  if (/\r\ntransfer-encoding:[^\r]*chunked/.test(head)) return unchunk(data.subarray(end + 4)).whole;
  const length = /\r\ncontent-length:\s*(\d+)/.exec(head)?.[1];
  return length !== undefined && data.length - end - 4 >= Number(length);
}

/** Decodes a chunked body; `whole` once its last (empty) chunk and the blank line after it arrived. */
function unchunk(data: Buffer): { body: Buffer; whole: boolean } {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    const size = eol === -1 ? 0 : Number.parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!(size > 0)) return { body: Buffer.concat(parts), whole: eol !== -1 && size === 0 && data.indexOf('\r\n\r\n', eol) !== -1 };
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

async function sendHttps(url: URL, method: string, headers: Record<string, string>, payload: Buffer | undefined, signal: AbortSignal | undefined): Promise<Answer> {
  // A pinned worker (core/tls-pin.ts): the request goes out only on a connection whose certificate
  // matched, written as the plain path writes it (node:https would add its HTTP client's load to every play).
  // The connection is kept for the play's next request (cartridge/pinned-connections.ts).
  const pin = pinFor(url);
  if (pin !== undefined) {
    const socket = await takePinned(url, pin, signal);
    return exchange(socket, url, method, headers, payload, signal, (done) => keepPinned(url, done as TLSSocket));
  }
  return new Promise((resolve, reject) => {
    const req = nodeHttps().request(url, { method, headers, signal, agent: false }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, raw: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}
