/**
 * The dashboard on `server.listen`: `GET /` the page (server/dashboard-page.ts, no CDN),
 * `GET /api/status` the report `plexbeam status --json` prints, `GET /events` the same report as
 * server-sent events after every probe round. Loopback by default; another address only with
 * `server.password` (HTTP basic auth).
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLoopbackHost } from '../core/loopback.ts';
import { PlexBeamError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { DASHBOARD_PAGE } from './dashboard-page.ts';

export interface DashboardDeps {
  /** `host:port` (`[v6]:port`). */
  listen: string;
  password: string;
  log: Logger;
}

/** A running dashboard. */
export interface Dashboard {
  /** Listens; resolves with the address (rejects with IO when it cannot). */
  listen(): Promise<{ host: string; port: number }>;
  /** The latest report: served by /api/status and pushed to every /events client. */
  publish(report: unknown): void;
  close(): Promise<void>;
}

/** Splits `host:port`; throws CONFIG_INVALID naming `server.listen`. */
export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(listen);
  const port = Number(match?.[3]);
  if (match === null || !(port >= 0 && port <= 65_535)) {
    throw new PlexBeamError('CONFIG_INVALID', `invalid config: \`server.listen\`: expected host:port (e.g. 127.0.0.1:8766), got ${JSON.stringify(listen)}`);
  }
  return { host: match[1] ?? match[2] ?? '', port };
}

/** True for a listening address only this machine reaches (127/8, ::1, localhost); 0.0.0.0 and :: are every interface. */
export function isLoopbackListen(host: string): boolean {
  return host === 'localhost' || host === '::1' || (/^127\./.test(host) && isLoopbackHost(host));
}

/** Creates the dashboard; throws CONFIG_INVALID when it would answer beyond loopback without a password. */
export function createDashboard(deps: DashboardDeps): Dashboard {
  const { host, port } = parseListen(deps.listen);
  if (!isLoopbackListen(host) && deps.password === '') {
    throw new PlexBeamError('CONFIG_INVALID', `invalid config: \`server.listen\` is ${deps.listen}, not loopback: set \`server.password\` (the dashboard shows every worker and session)`);
  }
  let latest = '{}';
  const streams = new Set<ServerResponse>();
  const expected = Buffer.from(`Basic ${Buffer.from(`plexbeam:${deps.password}`).toString('base64')}`);
  const authorized = (req: IncomingMessage) => {
    if (deps.password === '') return true;
    // Any user name: only the password counts.
    const given = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const password = given === undefined ? '' : Buffer.from(given, 'base64').toString('utf8').replace(/^[^:]*:/, '');
    const candidate = Buffer.from(`Basic ${Buffer.from(`plexbeam:${password}`).toString('base64')}`);
    return candidate.length === expected.length && timingSafeEqual(candidate, expected);
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://dashboard').pathname;
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    if (!authorized(req)) return void res.writeHead(401, { ...headers, 'www-authenticate': 'Basic realm="plexbeam"' }).end('password required\n');
    if (req.method !== 'GET') return void res.writeHead(405, { ...headers, allow: 'GET' }).end();
    if (path === '/') return void res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'" }).end(DASHBOARD_PAGE);
    if (path === '/api/status') return void res.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(latest);
    if (path === '/events') {
      res.writeHead(200, { ...headers, 'content-type': 'text/event-stream', connection: 'keep-alive' });
      res.write(`retry: 2000\ndata: ${latest}\n\n`);
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    res.writeHead(404, headers).end('not found\n');
  });
  server.on('error', (error) => deps.log.error({ err: error }, `dashboard error: ${error.message}`));
  return {
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', (error) => reject(new PlexBeamError('IO', `the dashboard cannot listen on ${deps.listen}: ${error.message}`, { cause: error })));
        server.listen(port, host, () => resolve({ host, port: (server.address() as AddressInfo).port }));
      }),
    publish(report) {
      latest = JSON.stringify(report);
      for (const res of streams) res.write(`data: ${latest}\n\n`);
    },
    close: () =>
      new Promise((resolve) => {
        for (const res of streams) res.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
