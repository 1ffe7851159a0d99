/**
 * Minimal JSON-over-HTTP client for the cartridge's requests to workers (health, dispatch,
 * replies, cancel). Plain `http:` goes over node:net with `Connection: close`: node:http and
 * undici take longer to load than the whole request, and the health check and the dispatch sit
 * on the start-up path. Pinned `https:` workers get the same request on a checked TLS connection
 * (core/tls-pin.ts); unpinned ones go through node:https, which checks the certificate against the CAs.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { nodeHttps, nodeNet } from '../core/builtins.ts';
import { pinFor } from '../core/worker-pins.ts';

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

type Answer = { status: number; raw: Buffer };

function sendPlain(url: URL, method: string, headers: Record<string, string>, payload: Buffer | undefined, signal: AbortSignal | undefined): Promise<Answer> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return exchange(nodeNet().connect({ host, port: Number(url.port || 80) }), url, method, headers, payload, signal);
}

/** Writes one `Connection: close` request on `socket` (plain, or TLS once its pin matched) and reads the answer until the server closes. */
function exchange(socket: Socket, url: URL, method: string, headers: Record<string, string>, payload: Buffer | undefined, signal: AbortSignal | undefined): Promise<Answer> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      socket.destroy();
      return reject(signal.reason);
    }
    const onAbort = () => socket.destroy(signal?.reason as Error);
    signal?.addEventListener('abort', onAbort, { once: true });
    const head = [`${method} ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`, 'connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    socket.setNoDelay(true);
    socket.write(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), payload ?? Buffer.alloc(0)]));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    socket.on('end', () => {
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      try {
        resolve(parseResponse(Buffer.concat(chunks)));
      } catch (error) {
        reject(error as Error);
      }
    });
  });
}

/** Splits a complete HTTP/1.1 response read until the server closed the connection. */
function parseResponse(data: Buffer): Answer {
  const end = data.indexOf('\r\n\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(data.subarray(0, 16).toString('latin1'))?.[1];
  if (end === -1 || status === undefined) throw Object.assign(new Error('malformed HTTP answer'), { code: 'EPROTO' });
  const head = data.subarray(0, end).toString('latin1').toLowerCase();
  let body = data.subarray(end + 4);
  if (/\r\ntransfer-encoding:[^\r]*chunked/.test(head)) body = unchunk(body);
  else {
    const length = /\r\ncontent-length:\s*(\d+)/.exec(head)?.[1];
    if (length !== undefined) body = body.subarray(0, Number(length));
  }
  return { status: Number(status), raw: body };
}

/** Decodes a chunked body. */
function unchunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    const size = eol === -1 ? 0 : Number.parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!(size > 0)) return Buffer.concat(parts);
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

async function sendHttps(url: URL, method: string, headers: Record<string, string>, payload: Buffer | undefined, signal: AbortSignal | undefined): Promise<Answer> {
  // A pinned worker (core/tls-pin.ts): the request goes out only on a connection whose certificate
  // matched, written as the plain path writes it (node:https would add its HTTP client's load to every play).
  const pin = pinFor(url);
  // core/tls-pin.ts loads only here, off the start-up path of plain-http workers.
  if (pin !== undefined) {
    const socket = await import('../core/tls-pin.ts').then(({ connectPinned }) => connectPinned(url, pin, signal));
    return exchange(socket, url, method, headers, payload, signal);
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
