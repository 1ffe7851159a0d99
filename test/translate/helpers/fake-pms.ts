// A minimal stand-in for Plex's HTTP callbacks: records every request, answers 200 (or canThrottle).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One recorded request. */
export interface Recorded {
  method: string;
  url: string;
  body: string;
}

/** A running fake PMS. */
export interface FakePms {
  base: string;
  requests: Recorded[];
  /** When true, progress PUTs are answered with a body containing `canThrottle`. */
  throttle: boolean;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1, port 0. */
export async function startFakePms(): Promise<FakePms> {
  const state: FakePms = { base: '', requests: [], throttle: false, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests.push({ method: req.method ?? '', url: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      res.end(state.throttle && /\/progress\?/.test(req.url ?? '') ? '<MediaContainer canThrottle="1"/>' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return state;
}
