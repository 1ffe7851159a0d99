/** Small HTTP client for doctor's requests to workers: JSON in and out, a hard timeout. */

/** A worker's answer: the status and the body (parsed when it is JSON, else the text). */
export interface WorkerReply {
  status: number;
  body: unknown;
}

export interface WorkerRequest {
  method?: 'GET' | 'POST';
  apiKey?: string;
  body?: unknown;
  timeoutMs: number;
}

/** Sends one request to `path` on the worker at `baseUrl`; throws on network failure or timeout. */
export async function requestWorker(baseUrl: string, path: string, request: WorkerRequest): Promise<WorkerReply> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.apiKey !== undefined && request.apiKey !== '') headers['x-api-key'] = request.apiKey;
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(new URL(path, baseUrl), {
    method: request.method ?? 'GET',
    headers,
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    redirect: 'manual',
    signal: AbortSignal.timeout(request.timeoutMs),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    return { status: response.status, body: text };
  }
}

/** Says why a request failed in words: "connection refused", "timed out after 5000 ms" … */
export function describeRequestError(error: unknown, timeoutMs: number): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
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
  return err?.cause?.message ?? err?.message ?? String(error);
}

/** A short, single-line excerpt of a reply body for messages. */
export function excerpt(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const line = (text ?? '').replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
