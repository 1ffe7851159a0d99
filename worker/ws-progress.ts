/** `WS /ws/progress`: every job's progress and state changes as JSON messages (`?job_id=` for one job). */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { jobStatus, type Job } from './job.ts';

export interface ProgressHub {
  /** Takes over an HTTP upgrade already authorised for `/ws/progress`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  publish(job: Job, kind: 'state' | 'progress'): void;
  close(): void;
}

/** Creates the hub; `snapshot` lists the jobs to describe to a new client. */
export function createProgressHub(snapshot: () => Iterable<Job>): ProgressHub {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const filters = new WeakMap<WebSocket, string | null>();
  const message = (job: Job, kind: 'state' | 'progress') => JSON.stringify({ type: kind, ...jobStatus(job) });

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const jobId = new URL(req.url ?? '/', 'http://worker').searchParams.get('job_id');
    filters.set(ws, jobId);
    // Incoming messages mean nothing; a client only listens.
    ws.on('message', () => undefined);
    for (const job of snapshot()) if (jobId === null || job.id === jobId) ws.send(message(job, 'state'));
  });

  return {
    handleUpgrade(req, socket, head) {
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
    close() {
      for (const ws of wss.clients) ws.close(1001, 'worker shutting down');
      wss.close();
    },
  };
}
