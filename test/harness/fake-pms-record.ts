/** How the fake Plex Media Server records one request, chunk by chunk as its body arrives. */
import type { IncomingMessage } from 'node:http';

/** One piece of a request body, when it arrived (ms since the epoch). */
export interface BodyChunk {
  time: number;
  data: Buffer;
}

/** A request as the fake PMS saw it; `body`, `bodyText` and `chunks` grow while it streams. */
export interface RecordedRequest {
  /** Arrival order, from 0. */
  seq: number;
  /** When the headers arrived (ms since the epoch). */
  time: number;
  method: string;
  /** The request target as sent (path and query). */
  url: string;
  /** The path without the query, not decoded (`/video/:/transcode/session/…/progress`). */
  path: string;
  /** The query string without `?`, as sent ('' when none). */
  rawQuery: string;
  /** The query parsed; a repeated name keeps its last value (parse `rawQuery` for all). */
  query: Record<string, string>;
  /** Headers, names lowercased; repeated headers joined with `, `. */
  headers: Record<string, string>;
  remoteAddress: string;
  body: Buffer;
  bodyText: string;
  chunks: BodyChunk[];
  /** True once the whole body has arrived. */
  complete: boolean;
  /** When the body ended, or the client went away. */
  endTime?: number;
  /** True when the client closed the connection before the body ended. */
  aborted: boolean;
  /** What the fake PMS answered, once it has. */
  response?: { status: number; body: string };
}

/** A fresh record of `req` with no body yet. */
export function recordRequest(req: IncomingMessage, seq: number): RecordedRequest {
  const url = req.url ?? '/';
  const mark = url.indexOf('?');
  const rawQuery = mark < 0 ? '' : url.slice(mark + 1);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headersDistinct)) if (value) headers[name] = value.join(', ');
  return {
    seq,
    time: Date.now(),
    method: req.method ?? 'GET',
    url,
    path: mark < 0 ? url : url.slice(0, mark),
    rawQuery,
    query: Object.fromEntries(new URLSearchParams(rawQuery)),
    headers,
    remoteAddress: req.socket.remoteAddress ?? '',
    body: Buffer.alloc(0),
    bodyText: '',
    chunks: [],
    complete: false,
    aborted: false,
  };
}

/** Appends one arrived body chunk to `record`. */
export function appendChunk(record: RecordedRequest, data: Buffer): void {
  record.chunks.push({ time: Date.now(), data });
  record.body = Buffer.concat([record.body, data]);
  record.bodyText = record.body.toString('utf8');
}

/** A one-line summary, for timeout messages. */
export function describeRequest(r: RecordedRequest): string {
  const state = r.complete ? 'complete' : r.aborted ? 'aborted' : 'streaming';
  return `#${r.seq} ${r.method} ${r.url} (${r.body.length} bytes, ${state})`;
}
