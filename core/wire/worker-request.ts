/**
 * The HTTP client of the tools that talk to workers off the cartridge's hot path (doctor,
 * analyze): Node's fetch (undici, shipped with the runtime: no package), a hard deadline per
 * request, no redirects, and a bounded answer. The cartridge has its own (cartridge/http.ts):
 * a first fetch costs ~60-100 ms more than node:http's first request (loading undici), on every play.
 */

/** A worker's answer: the status and the body (parsed when it is JSON, else the text). */
export interface WorkerReply {
  status: number;
  body: unknown;
}

export interface WorkerRequest {
  method?: 'GET' | 'POST' | 'DELETE';
  apiKey?: string;
  body?: unknown;
  /** The whole request, answer included, must finish within this. */
  timeoutMs: number;
  /** Also ends the request (e.g. one deadline shared by several requests). */
  signal?: AbortSignal;
  /** Answers longer than this are cut off with an error (default 4 MiB). */
  maxBytes?: number;
}

/** Sends one request to `path` on the worker at `baseUrl`; throws on network failure, timeout or an oversized answer. */
export async function requestWorker(baseUrl: string, path: string, request: WorkerRequest): Promise<WorkerReply> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.apiKey !== undefined && request.apiKey !== '') headers['x-api-key'] = request.apiKey;
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  const deadline = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal === undefined ? deadline : AbortSignal.any([deadline, request.signal]);
  const response = await fetch(new URL(path, baseUrl), {
    method: request.method ?? 'GET',
    headers,
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    redirect: 'manual',
    signal,
  });
  const text = await readBounded(response, request.maxBytes ?? 4 << 20);
  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    return { status: response.status, body: text };
  }
}

/** The answer's text, at most `maxBytes` of it. */
async function readBounded(response: Response, maxBytes: number): Promise<string> {
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      await response.body.cancel().catch(() => undefined);
      throw Object.assign(new Error(`the answer is longer than ${maxBytes} bytes`), { code: 'ANSWER_TOO_LONG' });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The system's code for why a request failed (`ECONNREFUSED` …), else its message. */
export function requestErrorCode(error: unknown): string {
  const err = error as { code?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } } | null;
  if (typeof err?.cause?.code === 'string') return err.cause.code;
  if (typeof err?.cause?.message === 'string') return err.cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** Says why a request failed in words: "connection refused", "no answer within 5000 ms" … */
export function describeRequestError(error: unknown, timeoutMs: number): string {
  const err = error as Error & { code?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  if (err?.code === 'ANSWER_TOO_LONG') return err.message;
  const code = err?.cause?.code;
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused (nothing listens on that port)',
    ECONNRESET: 'connection reset',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ENOTFOUND: 'host name not found',
    EAI_AGAIN: 'host name lookup failed',
  };
  if (code !== undefined && words[code] !== undefined) return words[code];
  // fetch refuses the ports of its "bad ports" list (6000, 6667 …) before connecting.
  if (err?.cause?.message === 'bad port') return 'the port is one fetch refuses to connect to (choose another worker.port)';
  return err?.cause?.message ?? err?.message ?? String(error);
}
