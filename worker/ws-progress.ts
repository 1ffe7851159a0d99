/** `WS /ws/progress`: every job's progress and state changes as JSON messages (`?job_id=` for one job). */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../core/log.ts';
import { jobStatus, type Job } from './job.ts';

/** Largest frame a client may send (clients only listen; anything bigger closes it with 1009). */
export const WS_MAX_PAYLOAD = 4096;

export interface ProgressHubOptions {
  /** Lists the jobs to describe to a new client. */
  snapshot(): Iterable<Job>;
  log: Logger;
  /** Ping every client this often; one that has not answered the previous ping is terminated (default 30 s). */
  heartbeatMs?: number;
}

export interface ProgressHub {
  /** Takes over an HTTP upgrade already authorised for `/ws/progress`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  publish(job: Job, kind: 'state' | 'progress'): void;
  /** Clients connected now. */
  readonly clients: number;
  close(): void;
}

/** Creates the hub. Nothing a client sends (oversized or malformed frames, a dead peer) can throw out of it. */
export function createProgressHub(options: ProgressHubOptions): ProgressHub {
  const { log } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD });
  const filters = new WeakMap<WebSocket, string | null>();
  const alive = new WeakMap<WebSocket, boolean>();
  const message = (job: Job, kind: 'state' | 'progress') => JSON.stringify({ type: kind, ...jobStatus(job) });
  wss.on('error', (error) => log.warn({ err: error }, 'progress WebSocket server error'));
  wss.on('wsClientError', (error, socket) => {
    log.info({ reason: error.message }, 'progress WebSocket handshake refused');
    socket.destroy();
  });

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const jobId = new URL(req.url ?? '/', 'http://worker').searchParams.get('job_id');
    filters.set(ws, jobId);
    alive.set(ws, true);
    // ws has already answered a frame over WS_MAX_PAYLOAD (1009) or a malformed one (1002) with a
    // close frame; without this listener its 'error' would be thrown and end the worker.
    ws.on('error', (error) => log.info({ reason: error.message }, 'progress WebSocket client closed for a bad frame'));
    ws.on('pong', () => alive.set(ws, true));
    // Incoming messages mean nothing; a client only listens.
    ws.on('message', () => undefined);
    for (const job of options.snapshot()) if (jobId === null || job.id === jobId) ws.send(message(job, 'state'));
  });
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        log.info('progress WebSocket client missed a ping: terminated');
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, options.heartbeatMs ?? 30_000);
  heartbeat.unref();

  return {
    handleUpgrade(req, socket, head) {
      socket.on('error', () => undefined);
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    publish(job, kind) {
      let text: string | undefined;
      for (const ws of wss.clients) {
        const jobId = filters.get(ws);
        if (ws.readyState !== ws.OPEN || (jobId !== null && jobId !== job.id)) continue;
        // A client that cannot keep up misses progress ticks, never state changes.
        if (kind === 'progress' && ws.bufferedAmount > 1 << 20) continue;
        text ??= message(job, kind);
        ws.send(text);
      }
    },
    get clients() {
      return wss.clients.size;
    },
    close() {
      clearInterval(heartbeat);
      for (const ws of wss.clients) ws.close(1001, 'worker shutting down');
      wss.close();
    },
  };
}
