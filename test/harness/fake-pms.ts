/** A fake Plex Media Server on 127.0.0.1: records every callback the transcoder makes, in order. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { appendChunk, describeRequest, recordRequest, type RecordedRequest } from './fake-pms-record.ts';

export type { BodyChunk, RecordedRequest } from './fake-pms-record.ts';

/** An answer to a request; absent fields take the defaults (200, XML). */
export interface FakePmsResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** Decides the answer to a complete request; `undefined` gives the default answer. */
export type FakePmsResponder = (req: RecordedRequest) => FakePmsResponse | undefined | Promise<FakePmsResponse | undefined>;

export interface FakePmsOptions {
  responder?: FakePmsResponder;
  /** Serve `GET /harness/media/<file>` from this folder (a live HTTP input, see adaptCorpusArgv). */
  mediaDir?: string;
}

export interface FakePms {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  port: number;
  /** Every request in arrival order; entries grow while their bodies stream. */
  requests: RecordedRequest[];
  /** The first request (possibly still streaming) for which `predicate` holds; rejects after `timeoutMs`. */
  waitFor(predicate: (req: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  setResponder(responder: FakePmsResponder | undefined): void;
  close(): Promise<void>;
}

/** The body Plex answers with when it has nothing to say. */
export const EMPTY_CONTAINER = '<?xml version="1.0" encoding="UTF-8"?>\n<MediaContainer size="0">\n</MediaContainer>\n';
/** An answer that makes Plex's transcoder throttle: it only looks for `canThrottle` in the body. */
export const CAN_THROTTLE_RESPONSE: FakePmsResponse = { body: '<?xml version="1.0" encoding="UTF-8"?>\n<MediaContainer size="0" canThrottle="1">\n</MediaContainer>\n' };
/** Path prefix under which `mediaDir` is served. */
export const MEDIA_ROUTE = '/harness/media/';

/** Starts a fake PMS on 127.0.0.1, port 0. */
export async function startFakePms(opts: FakePmsOptions = {}): Promise<FakePms> {
  const requests: RecordedRequest[] = [];
  const waiters = new Set<() => void>();
  let responder = opts.responder;
  const changed = () => waiters.forEach((check) => check());

  const server = createServer((req, res) => {
    const record = recordRequest(req, requests.length);
    requests.push(record);
    changed();
    req.on('data', (data: Buffer) => {
      appendChunk(record, data);
      changed();
    });
    req.on('end', () => {
      Object.assign(record, { complete: true, endTime: Date.now() });
      changed();
      void respond(record, req, res, responder, opts.mediaDir).then(changed);
    });
    req.on('close', () => markAborted(record, changed));
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const { port } = server.address() as AddressInfo;

  const waitFor = (predicate: (req: RecordedRequest) => boolean, timeoutMs = 5000) =>
    new Promise<RecordedRequest>((resolve, reject) => {
      const check = () => {
        let found: RecordedRequest | undefined;
        try {
          found = requests.find(predicate);
        } catch (error) {
          finish();
          return reject(error as Error);
        }
        if (found === undefined) return;
        finish();
        resolve(found);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`fake PMS: no matching request within ${timeoutMs} ms; got:\n  ${requests.map(describeRequest).join('\n  ') || '(none)'}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  const close = async () => {
    server.closeAllConnections(); // a streaming POST would otherwise hold close() open
    await new Promise((resolve) => server.close(resolve));
    for (const record of requests) markAborted(record, changed);
  };
  return { url: `http://127.0.0.1:${port}`, port, requests, waitFor, setResponder: (fn) => (responder = fn), close };
}

/** Marks a request whose body never ended as aborted (once). */
function markAborted(record: RecordedRequest, changed: () => void): void {
  if (record.complete || record.aborted) return;
  Object.assign(record, { aborted: true, endTime: Date.now() });
  changed();
}

async function respond(record: RecordedRequest, req: IncomingMessage, res: ServerResponse, responder: FakePmsResponder | undefined, mediaDir: string | undefined): Promise<void> {
  try {
    if (mediaDir !== undefined && req.method === 'GET' && record.path.startsWith(MEDIA_ROUTE)) return await serveFile(record, res, mediaDir);
    const answer = (await responder?.(record)) ?? {};
    const body = answer.body ?? EMPTY_CONTAINER;
    res.writeHead(answer.status ?? 200, { 'content-type': 'text/xml;charset=utf-8', ...answer.headers });
    res.end(body);
    record.response = { status: res.statusCode, body: body.toString() };
  } catch (error) {
    res.writeHead(500).end(String(error));
    record.response = { status: 500, body: String(error) };
  }
}

async function serveFile(record: RecordedRequest, res: ServerResponse, mediaDir: string): Promise<void> {
  const path = join(mediaDir, basename(decodeURIComponent(record.path.slice(MEDIA_ROUTE.length))));
  const size = await stat(path).then((s) => s.size, () => -1);
  record.response = { status: size < 0 ? 404 : 200, body: size < 0 ? '' : `<${size} bytes of ${basename(path)}>` };
  if (size < 0) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
  createReadStream(path).pipe(res);
}
