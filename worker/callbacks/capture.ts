/**
 * The worker's stand-in for Plex's loopback: ffmpeg's callback requests, and the worker's own
 * (segment lists, manifests, progress), land here and go to the job's link as they arrive, body
 * chunks included, since an HTTP output is one chunked POST for as long as ffmpeg runs.
 * Listens on 127.0.0.1 only.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { isSameSecret } from '../auth.ts';
import type { JobStream } from '../stream/job-stream.ts';
import type { JobLink } from './link.ts';
import type { ReplyBox } from './replies.ts';

/** What the capture needs of a job. */
export interface CallbackTarget {
  readonly callbackToken: string;
  /** Plex origins by index, as rewritten into the argv (`http://127.0.0.1:32400`). */
  readonly origins: readonly string[];
  readonly link: JobLink;
  readonly replies: ReplyBox;
  /** Numbers callbacks in the order their requests arrive. */
  nextCallbackSeq(): number;
  /** Callback requests still receiving their body. */
  openCallbacks: number;
  /** Stream mode (worker/stream): serves the job's inputs, announces its outputs before the callbacks naming them. */
  readonly stream?: Pick<JobStream, 'serveInput' | 'announceNamed'>;
}

/** Path prefix of rewritten callback URLs: `/cb/<job>/<token>/<origin index>/<Plex path and query>`. */
export const CALLBACK_PREFIX = '/cb';

/** How long a request waits for Plex's answer through the cartridge before hearing a plain 200. */
const REPLY_TIMEOUT_MS = 1000;

/** Headers that describe this hop, not the request: the cartridge sets its own. */
const HOP_HEADERS = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding', 'expect', 'te', 'upgrade']);

/** Timers of the callback server (tests shorten them). */
export interface CallbackServerOptions {
  /** A connection with no byte in either direction for this long is closed (default 5 min: a request's body may pause, never that long). */
  idleTimeoutMs?: number;
}

/**
 * Creates the callback server; `lookup` finds a running job by id. An HTTP output of ffmpeg is
 * one request that lasts the whole transcode, so Node's `requestTimeout` (5 min by default: the
 * whole request, body included) is off; the headers must come in time, and a connection silent
 * for `idleTimeoutMs` goes. Idle keep-alive connections stay a minute (Node's 5 s would close one
 * between two of ffmpeg's requests, and a throttled ffmpeg may sit paused for seconds).
 */
export function createCallbackServer(lookup: (jobId: string) => CallbackTarget | undefined, options: CallbackServerOptions = {}): Server {
  const server = createServer({
    requestTimeout: 0,
    headersTimeout: 60_000,
    keepAliveTimeout: 60_000,
  }, (req, res) => {
    // A request cut off mid-body is handled on 'close'; its error is no failure of the worker.
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    const input = /^\/in\/([^/]+)\/([^/]+)\/(\d{1,4})$/.exec(req.url ?? '');
    if (input !== null) {
      const target = lookup(input[1] as string);
      if (target?.stream === undefined || !isSameSecret(input[2] as string, target.callbackToken) || (req.method !== 'GET' && req.method !== 'HEAD')) {
        res.writeHead(404).end();
        req.resume();
        return;
      }
      return target.stream.serveInput(Number(input[3]), req, res);
    }
    const match = /^\/cb\/([^/]+)\/([^/]+)\/(\d+)(\/.*)?$/s.exec(req.url ?? '');
    const target = match === null ? undefined : lookup(match[1] as string);
    const origin = target?.origins[Number(match?.[3])];
    if (match === null || target === undefined || origin === undefined || !isSameSecret(match[2] as string, target.callbackToken)) {
      res.writeHead(404).end();
      req.resume();
      return;
    }
    capture(req, res, target, origin, match[4] ?? '/');
  });
  // Node's headers timer ignores a connection that never starts a request: the socket timer covers it.
  server.setTimeout(options.idleTimeoutMs ?? 300_000, (socket) => socket.destroy());
  return server;
}

function capture(req: IncomingMessage, res: ServerResponse, target: CallbackTarget, origin: string, pathAndQuery: string): void {
  const question = pathAndQuery.indexOf('?');
  const path = question === -1 ? pathAndQuery : pathAndQuery.slice(0, question);
  const query = question === -1 ? '' : pathAndQuery.slice(question + 1);
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !HOP_HEADERS.has(name)));
  // Numbered and announced as soon as the request line arrives: ffmpeg issues its requests one
  // after another, and the cartridge must replay them in that order, whatever their bodies do.
  const seq = target.nextCallbackSeq();
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  target.link.send({ type: 'callback', seq, origin, method: req.method, path, query, headers, end: !hasBody });
  target.openCallbacks += 1;
  let pending: Buffer[] = [];
  let scheduled = false;
  let ended = false;
  // Chunks arriving together go out as one message.
  const flush = (end: boolean, aborted = false) => {
    const body = Buffer.concat(pending);
    pending = [];
    // Stream mode: the files this chunk names (segment list, playlist) go ahead of it.
    if (target.stream !== undefined && body.length > 0) target.stream.announceNamed(body.toString('latin1'));
    const body_b64 = body.toString('base64');
    target.link.send({ type: 'callback_data', seq, body_b64, end, ...(aborted ? { aborted } : {}) });
  };
  req.on('data', (chunk: Buffer) => {
    pending.push(chunk);
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (!ended && pending.length > 0) flush(false);
    });
  });
  const done = () => {
    if (ended) return;
    ended = true;
    target.openCallbacks -= 1;
  };
  req.on('end', () => {
    if (hasBody && !ended) flush(true);
    done();
    void answer(res, target, seq);
  });
  // ffmpeg killed in the middle of a request: the cartridge must not wait for the rest.
  req.on('close', () => {
    if (hasBody && !ended) flush(true, true);
    done();
  });
}

/** Answers with Plex's reply when the cartridge relays one in time; a plain 200 otherwise (or with no cartridge on the link). */
async function answer(res: ServerResponse, target: CallbackTarget, seq: number): Promise<void> {
  const reply = target.link.attached ? await target.replies.wait(seq, REPLY_TIMEOUT_MS) : null;
  if (res.destroyed) return;
  const body = reply?.body ?? Buffer.alloc(0);
  res.writeHead(reply?.status ?? 200, { 'content-length': body.length, ...(reply?.contentType ? { 'content-type': reply.contentType } : {}) });
  res.end(body);
}

/**
 * Resolves once the callbacks ffmpeg sent before it exited have been taken in (ffmpeg does not
 * wait for the answer to its last request): a request of our own queues behind ffmpeg's
 * connections, which the kernel hands over in order, then the open ones must finish.
 */
export async function drainCallbacks(port: number, target: Pick<CallbackTarget, 'openCallbacks'>, timeoutMs = 2000): Promise<void> {
  await new Promise<void>((resolve) => {
    const probe = request({ host: '127.0.0.1', port, path: `${CALLBACK_PREFIX}/drain`, timeout: timeoutMs }, (res) => res.resume().on('end', resolve));
    probe.on('error', () => resolve()).on('timeout', () => probe.destroy());
    probe.end();
  });
  for (const deadline = Date.now() + timeoutMs; target.openCallbacks > 0 && Date.now() < deadline; ) await sleep(10);
}
