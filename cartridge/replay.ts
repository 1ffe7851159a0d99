/**
 * Replays the callbacks a worker captured to Plex on this machine's loopback: in `seq` order,
 * with the same method, path, query and body (streamed as it arrives: Plex's segment list is one
 * endless chunked POST), adding `X-Plex-Token` here; Plex's answers go back to the worker.
 * Plex gets a bounded time to accept each request and to answer it; what fails is said once.
 */
import type { ClientRequest } from 'node:http';
import { nodeHttp } from '../core/builtins.ts';
import type { LinkMessage } from './link-client.ts';

/** Plex's answer to one callback, as `POST /jobs/:id/callback-replies` takes it. */
export interface CallbackAnswer {
  seq: number;
  status: number;
  content_type?: string;
  body_b64?: string;
}

export interface ReplayOptions {
  /** Plex origins the argv names (`http://127.0.0.1:32400`): the only places replayed to. */
  origins: ReadonlySet<string>;
  /** Plex's X_PLEX_TOKEN, sent as `X-Plex-Token` (it never went to the worker). */
  token: string | undefined;
  /** Posts Plex's answer to the worker; the replayer's drain waits for it. */
  answer(reply: CallbackAnswer): Promise<unknown>;
  /** Called once, on the first body bytes of a callback that is not a progress report. */
  onFirstOutput?(): void;
  /** Longest wait for Plex's answer before the next callback starts anyway. */
  holdMs?: number;
  /** How long Plex may take to accept the connection (default 2 s: it is on this machine). */
  connectTimeoutMs?: number;
  /** How long Plex may take to answer once a request's body is complete (default 15 s); a streaming body is not timed. */
  responseTimeoutMs?: number;
  /** Where a failure is said, once per kind (default: one `plexbeam:` line on stderr). */
  warn?(text: string): void;
}

export interface Replayer {
  /** Feeds a `callback` or `callback_data` link message. */
  feed(message: LinkMessage): void;
  /** Resolves once every replay started has finished, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void>;
  /** Aborts every replay still open. */
  abort(): void;
}

interface Replay {
  seq: number;
  /** True for Plex's progress reports (`…/progress…`), which are not output. */
  progress: boolean;
  chunks: Buffer[];
  ended: boolean;
  aborted: boolean;
  req?: ClientRequest;
  /** Wakes the queue when body bytes or the end arrive. */
  wake?: () => void;
  /** Starts the wait for Plex's answer, once the body is complete. */
  timeAnswer?: () => void;
}

const SKIPPED_HEADERS = new Set(['x-plex-token', 'host', 'connection', 'content-length', 'transfer-encoding']);

/** Creates the replayer of one job. */
export function createReplayer(options: ReplayOptions): Replayer {
  const replays = new Map<number, Replay>();
  const open = new Set<Promise<void>>();
  let queue: Promise<void> = Promise.resolve();
  let sawOutput = false;
  const said = new Set<string>();
  /** Says `text` the first time a failure of this `kind` happens; later ones of that kind are not said again. */
  const warnOnce = (kind: string, text: string) => {
    if (said.has(kind)) return;
    said.add(kind);
    (options.warn ?? ((line: string) => process.stderr.write(`plexbeam: ${line}\n`)))(text);
  };
  const connectMs = options.connectTimeoutMs ?? 2000;
  const responseMs = options.responseTimeoutMs ?? 15_000;

  const track = (work: Promise<unknown>) => {
    const tracked: Promise<void> = work.then(() => undefined, () => undefined).finally(() => open.delete(tracked));
    open.add(tracked);
    return tracked;
  };
  const answer = (reply: CallbackAnswer) =>
    void track(options.answer(reply).catch((error: NodeJS.ErrnoException) => {
      warnOnce('answer', `could not pass Plex's answer to the worker (${error.code ?? error.message}); its throttling may lag`);
    }));

  const start = async (message: LinkMessage, replay: Replay): Promise<void> => {
    const origin = String(message.origin);
    if (!options.origins.has(origin)) return answer({ seq: replay.seq, status: 502, body_b64: Buffer.from(`not a Plex origin of this job: ${origin}`).toString('base64') });
    const path = `${String(message.path)}${message.query ? `?${String(message.query)}` : ''}`;
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries((message.headers ?? {}) as Record<string, string | string[]>)) {
      if (!SKIPPED_HEADERS.has(name.toLowerCase())) headers[name] = value;
    }
    if (options.token) headers['X-Plex-Token'] = options.token;
    // A body still on its way: wait for its first bytes, to know whether it is one piece or a stream.
    if (message.end !== true && replay.chunks.length === 0 && !replay.ended) await new Promise<void>((resolve) => (replay.wake = resolve));
    const url = new URL(origin);
    const req = nodeHttp().request({ host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || 80, method: String(message.method), path, headers, agent: false });
    replay.req = req;
    // Named without the query: Plex's URLs may carry a token there.
    const what = `${String(message.method)} ${String(message.path)}`;
    const failed = (error: NodeJS.ErrnoException) => {
      if (replay.aborted) return;
      warnOnce('replay', `a callback to Plex failed: ${what} (${error.code ?? error.message}); the worker was answered 502`);
    };
    timeConnect(req, connectMs);
    replay.timeAnswer = () => {
      const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${responseMs} ms`), { code: 'ETIMEDOUT' })), responseMs).unref();
      req.once('close', () => clearTimeout(timer));
    };
    const answered = new Promise<void>((resolve) => {
      req.on('response', (res) => {
        const body: Buffer[] = [];
        res.on('data', (chunk: Buffer) => body.push(chunk));
        res.on('end', () => {
          const type = res.headers['content-type'];
          answer({ seq: replay.seq, status: res.statusCode ?? 502, ...(type ? { content_type: type } : {}), body_b64: Buffer.concat(body).toString('base64') });
          resolve();
        });
        res.on('error', (error) => {
          failed(error);
          resolve();
        });
      });
      req.on('error', (error) => {
        failed(error);
        if (!replay.aborted) answer({ seq: replay.seq, status: 502 });
        resolve();
      });
      // An aborted replay may end without an error: it must not hold up the drain.
      req.on('close', () => resolve());
    });
    track(answered);
    if (replay.aborted) return void req.destroy();
    flush(replay);
    if (replay.ended) await Promise.race([answered, sleep(options.holdMs ?? 5000)]);
    // A body still streaming (the segment list): the next callback need not wait for its end,
    // only for this one's request line to be on its way, so that Plex sees them in order.
    else await Promise.race([answered, sent(req)]);
  };

  const flush = (replay: Replay) => {
    const req = replay.req;
    if (req === undefined) return replay.wake?.();
    for (const chunk of replay.chunks.splice(0)) if (chunk.length > 0) req.write(chunk);
    if (replay.aborted) req.destroy();
    else if (replay.ended && !req.writableEnded) {
      req.end();
      replay.timeAnswer?.();
    }
  };

  return {
    feed(message) {
      const seq = Number(message.seq);
      if (message.type === 'callback') {
        const progress = /\/progress(\/|$)/.test(String(message.path));
        const replay: Replay = { seq, progress, chunks: [], ended: message.end === true, aborted: false };
        replays.set(seq, replay);
        queue = queue.then(() => start(message, replay)).catch((error: Error) => {
          warnOnce('start', `a callback could not be replayed to Plex: ${error.message}`);
          answer({ seq, status: 502 });
        });
        return;
      }
      const replay = replays.get(seq);
      if (message.type !== 'callback_data' || replay === undefined) return;
      const data = Buffer.from(String(message.body_b64 ?? ''), 'base64');
      if (data.length > 0 && !sawOutput && !replay.progress) {
        sawOutput = true;
        options.onFirstOutput?.();
      }
      replay.chunks.push(data);
      replay.ended = message.end === true;
      replay.aborted = message.aborted === true;
      if (replay.ended) replays.delete(seq);
      flush(replay);
    },
    async drain(timeoutMs) {
      const settled = async () => {
        await queue;
        // Answers posted while waiting add to the set: wait until it stays empty.
        while (open.size > 0) await Promise.all(open);
      };
      await Promise.race([settled(), sleep(timeoutMs)]);
    },
    abort() {
      for (const replay of replays.values()) {
        replay.aborted = true;
        replay.req?.destroy();
        replay.wake?.();
      }
    },
  };
}

/** Destroys `req` when its connection is not established within `ms`. */
function timeConnect(req: ClientRequest, ms: number): void {
  req.once('socket', (socket) => {
    if (!socket.connecting) return;
    const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no connection within ${ms} ms`), { code: 'ETIMEDOUT' })), ms).unref();
    socket.once('connect', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
  });
}

/** Resolves once the request's socket is connected and what was written so far has gone out. */
function sent(req: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    req.once('socket', (socket) => {
      const out = () => setImmediate(resolve);
      if (socket.connecting) socket.once('connect', out);
      else out();
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
