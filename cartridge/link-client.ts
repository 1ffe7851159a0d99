/**
 * The cartridge's end of a job's link (`GET /jobs/:id/link`, newline-delimited JSON): reads
 * messages in order, reopens a dropped link with `?after=<last id>` so nothing is lost or seen
 * twice, and gives up when the worker stays unreachable.
 */
import type { ClientRequest } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { nodeHttp, nodeHttps } from '../core/builtins.ts';
import { pinFor } from '../core/worker-pins.ts';
import { readLinkLine, type LinkMessage as WireLinkMessage } from '../core/wire/link.ts';

/** One link message, as core/wire/link.ts reads it (open to fields later versions add). */
export type LinkMessage = WireLinkMessage & Record<string, unknown>;

/** How the link ended: the job's `exit` message, or the worker was lost. */
export type LinkEnd = { kind: 'exit'; message: LinkMessage } | { kind: 'lost'; reason: string };

export interface LinkClientOptions {
  /** The worker's base URL. */
  base: string;
  jobId: string;
  apiKey: string;
  onMessage(message: LinkMessage): void;
  /** How long reopening may fail before the worker counts as lost (its own grace is 2 s). */
  reopenForMs?: number;
  /**
   * A link silent this long is dead, until the worker's `hello` says how often it pings
   * (`ping_ms`): then 2.5 pings (at least 2 s), so a lost worker is noticed within 3 s.
   */
  idleMs?: number;
  /** Says what went wrong without ending the link (a malformed line: once per link). */
  warn?(text: string): void;
}

export interface LinkClient {
  readonly ended: Promise<LinkEnd>;
  /** Stops reading (the worker then kills the job after its grace, unless it ended). */
  close(): void;
}

/** Opens the link and keeps it open until the job's `exit` message. */
export function openLink(options: LinkClientOptions): LinkClient {
  const reopenForMs = options.reopenForMs ?? 2500;
  let idleMs = options.idleMs ?? 12_000;
  let lastId = 0;
  /** When the last bytes came (a silent link counts as lost from then, not from when the silence was noticed). */
  let heardAt = Date.now();
  let deadline: NodeJS.Timeout | undefined;
  /** True once the current request was destroyed for silence. */
  let silence = false;
  let lostSince: number | null = null;
  let done = false;
  let current: ClientRequest | undefined;
  let idle: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;
  let malformed = 0;
  let finish!: (end: LinkEnd) => void;
  const ended = new Promise<LinkEnd>((resolve) => (finish = resolve));

  const end = (result: LinkEnd) => {
    if (done) return;
    done = true;
    clearTimeout(idle);
    clearTimeout(retry);
    clearTimeout(deadline);
    current?.destroy();
    finish(result);
  };
  const dropped = (reason: string) => {
    if (done) return;
    clearTimeout(idle);
    if (lostSince === null) {
      lostSince = silence ? heardAt : Date.now();
      // Reopening gets `reopenForMs` in all, however long each attempt hangs.
      clearTimeout(deadline);
      deadline = setTimeout(() => end({ kind: 'lost', reason }), Math.max(0, lostSince + reopenForMs - Date.now()));
    }
    if (Date.now() - lostSince >= reopenForMs) return end({ kind: 'lost', reason });
    clearTimeout(retry);
    retry = setTimeout(connect, 150);
  };
  const deliver = (line: string) => {
    if (done || line === '') return;
    const read = readLinkLine(line);
    if (read.problem !== undefined) {
      // Skipped, not fatal: the next message's id tells whether anything that mattered was lost.
      // Said once; the line itself is not shown (it may hold a callback's body).
      if ((malformed += 1) === 1) options.warn?.(`skipped a malformed line from the worker's link for job ${options.jobId} after message ${lastId} (${line.length} bytes: ${read.problem})`);
      return;
    }
    const message = read.message as LinkMessage | undefined;
    const id = message === undefined ? read.id : (message as { id?: number }).id;
    if (typeof id === 'number') {
      if (id <= lastId) return;
      lastId = id;
    }
    // A type this cartridge does not know (a later worker's) is skipped, its id counted.
    if (message === undefined) return;
    if (message.type === 'hello' && typeof message.ping_ms === 'number' && message.ping_ms > 0) {
      idleMs = Math.max(2000, message.ping_ms * 2.5);
      watchIdle();
    }
    options.onMessage(message);
    if (message.type === 'exit') end({ kind: 'exit', message });
  };

  function connect(): void {
    if (done) return;
    const url = new URL(`/jobs/${encodeURIComponent(options.jobId)}/link?after=${lastId}`, options.base);
    const pin = pinFor(url);
    if (pin !== undefined) {
      // A pinned worker: the link opens on a connection whose certificate matched (core/tls-pin.ts).
      import('../core/tls-pin.ts').then(({ connectPinned }) => connectPinned(url, pin)).then((socket) => open(url, socket), (error: NodeJS.ErrnoException) => dropped(`worker unreachable (${error.code ?? error.message})`));
      return;
    }
    open(url);
  }

  function open(url: URL, socket?: TLSSocket): void {
    if (done) {
      socket?.destroy();
      return;
    }
    const client = url.protocol === 'https:' ? nodeHttps() : nodeHttp();
    const headers = options.apiKey ? { 'x-api-key': options.apiKey } : {};
    const req = client.get(url, { headers, ...(socket === undefined ? { agent: false } : { createConnection: () => socket }) }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        // The worker answers but no longer knows the job (restarted): nothing to wait for.
        return end({ kind: 'lost', reason: `the link answered HTTP ${res.statusCode}` });
      }
      lostSince = null;
      clearTimeout(deadline);
      res.socket.setNoDelay(true);
      let partial = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        heardAt = Date.now();
        idle?.refresh();
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) deliver(line);
      });
      res.on('close', () => dropped('the link closed before the job ended'));
    });
    current = req;
    req.on('error', (error: NodeJS.ErrnoException) => {
      // Nothing listens there any more: the worker is gone (a restarted one no longer knows the job either).
      if (error.code === 'ECONNREFUSED') return end({ kind: 'lost', reason: 'worker unreachable (ECONNREFUSED)' });
      dropped(`worker unreachable (${error.code ?? error.message})`);
    });
    silence = false;
    watchIdle();
  }

  /** (Re)starts the silence timer of the current request with the current `idleMs`. */
  function watchIdle(): void {
    clearTimeout(idle);
    const req = current;
    idle = setTimeout(() => {
      silence = true;
      req?.destroy(new Error(`no message for ${idleMs} ms`));
    }, idleMs);
  }

  connect();
  return { ended, close: () => end({ kind: 'lost', reason: 'closed' }) };
}
