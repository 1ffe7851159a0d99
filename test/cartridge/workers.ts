/** Workers for the cartridge tests: the real `plexbeam worker`, and a scriptable fake one. */
import type { ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { followJsonLogs } from '../harness/json-log-process.ts';
import { API_KEY, BIN, spawnOwned } from './helpers.ts';

export type LogLine = Record<string, any> & { msg?: string };

export interface RealWorker {
  url: string;
  proc: ChildProcess;
  logs: LogLine[];
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** `GET /status/:id` with the API key. */
  status(jobId: string): Promise<any>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `plexbeam worker` (the built CLI) on 127.0.0.1, port 0; resolves once it listens (it is stopped with the file's tests, see spawnOwned). */
export async function startRealWorker(dir: string, worker: Record<string, unknown>): Promise<RealWorker> {
  const config = join(dir, `worker-${Date.now()}.json`);
  writeFileSync(config, JSON.stringify({ logLevel: 'debug', worker: { host: '127.0.0.1', port: 0, apiKey: API_KEY, ...worker } }));
  const proc = spawnOwned(BIN, ['worker', '--config', config], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  const { logs, exited, waitForLog } = followJsonLogs(proc, { timeoutMs: 30_000 });
  const { port } = await waitForLog((line) => line.msg === 'listening').catch((error: unknown) => {
    proc.kill('SIGKILL');
    throw error;
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    proc,
    logs,
    waitForLog,
    async status(jobId) {
      const res = await fetch(`${url}/status/${jobId}`, { headers: { 'x-api-key': API_KEY } });
      return res.json();
    },
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
}

/** A request the fake worker received, body parsed when JSON. */
export interface FakeWorkerRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

export interface FakeWorkerOptions {
  /** `GET /health`: the answer's status and body (default 200, healthy, 2 free slots). */
  health?: { status?: number; body?: unknown };
  /** `POST /transcode`: status (default 202) and body (default a job id). */
  transcode?: { status: number; body?: unknown; delayMs?: number };
  /** Serves `GET /jobs/:id/link`: write lines to `res`; called once per link opening with `after`. */
  link?: (res: ServerResponse, after: number, opening: number) => void;
}

export interface FakeWorker {
  url: string;
  requests: FakeWorkerRequest[];
  close(): Promise<void>;
}

/** Health of a worker with `free` slots and `encoders`. */
export function healthBody(free = 2, encoders = ['libx264', 'libx265'], hwaccel = 'software'): unknown {
  return { status: 'ok', version: 'fake', hwaccel, encoders, jobs: { running: 2 - Math.min(free, 2), queued: 0, max: Math.max(2, free) } };
}

/** A worker whose every answer a test chooses; records what it received. */
export async function startFakeWorker(options: FakeWorkerOptions = {}): Promise<FakeWorker> {
  const requests: FakeWorkerRequest[] = [];
  let openings = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      let body: any = text;
      try {
        body = text === '' ? null : JSON.parse(text);
      } catch {
        // not JSON
      }
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const url = new URL(req.url ?? '/', 'http://x');
      const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value ?? {}));
      if (url.pathname === '/health') return json(options.health?.status ?? 200, options.health?.body ?? healthBody());
      if (url.pathname === '/transcode') {
        const answer = () => json(options.transcode?.status ?? 202, options.transcode?.body ?? { job_id: 'job-1', state: 'queued', link: '/jobs/job-1/link' });
        return void setTimeout(answer, options.transcode?.delayMs ?? 0);
      }
      if (/^\/jobs\/[^/]+\/link$/.test(url.pathname) && options.link) {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        return options.link(res, Number(url.searchParams.get('after') ?? 0), (openings += 1));
      }
      if (/\/callback-replies$/.test(url.pathname)) return res.writeHead(204).end();
      if (req.method === 'DELETE') return json(200, { state: 'cancelled' });
      json(404, { error: 'no route' });
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A TCP server that accepts connections and never says a word (a hung worker). */
export async function startSilentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** One NDJSON link line. */
export function line(message: Record<string, unknown>): string {
  return `${JSON.stringify(message)}\n`;
}
