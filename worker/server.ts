/** Wires the worker: job table, API server (with the progress WebSocket) and the loopback callback server. */
import { readFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import type { WorkerConfig } from '../core/config.ts';
import { PlexBeamError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { createApiKeyCheck } from './auth.ts';
import { createCallbackServer, drainCallbacks } from './callbacks/capture.ts';
import { createLinkStore } from './callbacks/link-store.ts';
import { isActive, type Job } from './job.ts';
import { cleanLeftovers, createJobRecords } from './job-records.ts';
import { createJobManager, type JobManager } from './jobs.ts';
import { createLibraryManager } from './library/manager.ts';
import type { JobConfiner } from './confine/index.ts';
import { createMetrics } from './metrics.ts';
import type { HardwareProbe } from './probe/index.ts';
import { createRoutes } from './routes.ts';
import { createPathPolicy } from './sandbox/path-policy.ts';
import { createProgressHub } from './ws-progress.ts';

export interface WorkerServerDeps {
  config: WorkerConfig;
  hardware: HardwareProbe;
  log: Logger;
  version: string;
  /** The worker's own environment (hardware variables pass to ffmpeg from here, never from requests). */
  workerEnv: NodeJS.ProcessEnv;
  /** Parent of per-job HOME/TMPDIR folders. */
  scratchRoot: string;
  /** Holds a record per running job for cleanup after a crash (default `<scratchRoot>/run`). */
  runDir?: string;
  linkGraceMs?: number;
  forceKillAfterMs?: number;
  keepEndedMs?: number;
  /** Bound of all jobs' link buffers together, in bytes (default link-store.ts's LINK_STORE_BYTES). */
  linkStoreBytes?: number;
  /** WebSocket ping interval, in ms (default 30 s). */
  wsHeartbeatMs?: number;
  onJobUpdate?(job: Job, kind: 'state' | 'progress'): void;
  /** A drain started or ended (`POST /drain`, `/resume`, or a shutdown's hand-back). */
  onDrainChange?(on: boolean): void;
  /** The kernel sandbox of each job's commands (worker/confine); absent: they run unconfined. */
  confine?: JobConfiner;
}

export interface WorkerServer {
  readonly jobs: JobManager;
  /**
   * Cleans up after a previous worker that died with jobs running (job-records.ts), then listens
   * on worker.host:worker.port (and 127.0.0.1:<any> for callbacks); throws WORKER_LISTEN.
   */
  listen(): Promise<{ port: number; callbackPort: number }>;
  /**
   * Refuses new jobs, cancels and awaits the running ones, then closes every connection. With
   * `handBackMs`, running segmented jobs are first handed back at their next segment (at most that long).
   */
  close(handBackMs?: number): Promise<void>;
}

function listenOn(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new PlexBeamError('WORKER_LISTEN', `cannot listen on ${host}:${port}: ${error.message}`, { cause: error })));
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Answers a request the HTTP parser rejected (malformed, headers too large, too slow) and closes its socket; never throws. */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket, log: Logger, server: string): void {
  // debug: these come before any key is checked, and a flood of them must not flood the log.
  if (error.code !== 'ECONNRESET') log.debug({ code: error.code, reason: error.message }, `${server}: bad HTTP request, connection closed`);
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The API server's constructor: node:http, or node:https with the configured certificate (throws WORKER_LISTEN when it cannot be read). */
function createApiServer(config: WorkerConfig): (handler: RequestListener) => Server {
  if (config.tlsCert === '' && config.tlsKey === '') return (handler) => createServer(handler);
  try {
    const tls = { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) };
    return (handler) => createHttpsServer(tls, handler) as unknown as Server;
  } catch (error) {
    throw new PlexBeamError('WORKER_LISTEN', `cannot serve HTTPS: worker.tlsCert and worker.tlsKey must both name readable PEM files (${(error as Error).message})`, { cause: error });
  }
}

/** Creates the worker's servers; nothing listens until `listen()`. */
export function createWorkerServer(deps: WorkerServerDeps): WorkerServer {
  const metrics = createMetrics();
  let callbackPort = 0;
  const runDir = deps.runDir ?? join(deps.scratchRoot, 'run');
  const links = createLinkStore(deps.linkStoreBytes === undefined ? {} : { maxBytes: deps.linkStoreBytes });
  const hub = createProgressHub({ snapshot: () => jobs.list(), log: deps.log, ...(deps.wsHeartbeatMs === undefined ? {} : { heartbeatMs: deps.wsHeartbeatMs }) });
  const jobs: JobManager = createJobManager({
    ...deps,
    metrics,
    records: createJobRecords(runDir, deps.log),
    links,
    callbackPort: () => callbackPort,
    drainCallbacks: (job) => drainCallbacks(callbackPort, job),
    linkGraceMs: deps.linkGraceMs ?? 2000,
    forceKillAfterMs: deps.forceKillAfterMs ?? 1500,
    keepEndedMs: deps.keepEndedMs ?? 3_600_000,
    onUpdate: (job, kind) => {
      hub.publish(job, kind);
      if (kind === 'state') library.liveChanged();
      deps.onJobUpdate?.(job, kind);
    },
  });
  // Library re-encodes (worker/library): apart from maxJobs, paused while any live job is queued or running.
  const library = createLibraryManager({
    config: deps.config,
    hardware: deps.hardware,
    log: deps.log,
    workerEnv: deps.workerEnv,
    scratchRoot: deps.scratchRoot,
    confineMode: deps.confine?.mode ?? 'unconfined',
    forceKillAfterMs: deps.forceKillAfterMs ?? 1500,
    keepEndedMs: deps.keepEndedMs ?? 3_600_000,
    liveActive: () => {
      const { running, queued } = jobs.counts();
      return running + queued > 0;
    },
  });
  // Live play first: every library ffmpeg is stopped before a live job's own ffprobe and ffmpeg start.
  const submitLive = jobs.submit.bind(jobs);
  jobs.submit = (request) => {
    library.hold();
    try {
      return submitLive(request);
    } finally {
      library.liveChanged();
    }
  };
  const killLive = jobs.killAll.bind(jobs);
  jobs.killAll = () => {
    killLive();
    library.killAll();
  };
  const isAuthorized = createApiKeyCheck(deps.config.apiKey);
  // HTTPS when worker.tlsCert and worker.tlsKey are set (the Plex side pins the certificate: core/tls-pin.ts).
  const api = createApiServer(deps.config)(
    createRoutes({
      jobs,
      metrics,
      hardware: deps.hardware,
      version: deps.version,
      maxBodyBytes: deps.config.maxBodyBytes,
      isAuthorized,
      pathPolicy: () => createPathPolicy(deps.config),
      linkBytes: () => links.bytes,
      log: deps.log,
      confinement: deps.confine?.mode ?? 'unconfined',
      library,
    }),
  );
  api.on('clientError', (error, socket) => answerClientError(error, socket as Socket, deps.log, 'worker API'));
  api.on('upgrade', (req, socket, head) => {
    socket.on('error', () => undefined);
    const path = new URL(req.url ?? '/', 'http://worker').pathname;
    const refusal = path !== '/ws/progress' ? '404 Not Found' : isAuthorized(req) ? null : '401 Unauthorized';
    if (refusal === null) return hub.handleUpgrade(req, socket, head);
    socket.end(`HTTP/1.1 ${refusal}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });
  const callbacks = createCallbackServer((id) => {
    const job = jobs.get(id);
    return job !== undefined && isActive(job) ? job : undefined;
  });
  callbacks.on('clientError', (error, socket) => answerClientError(error, socket as Socket, deps.log, 'callback server'));

  return {
    jobs,
    async listen() {
      await cleanLeftovers({ runDir, scratchRoot: deps.scratchRoot, transcodeRoots: deps.config.transcodeRoots, log: deps.log });
      await library.cleanLeftovers();
      callbackPort = await listenOn(callbacks, 0, '127.0.0.1');
      const port = await listenOn(api, deps.config.port, deps.config.host);
      // Errors of a listening server (accept failing on EMFILE …) are logged; unheard they would end the worker.
      for (const [server, name] of [[api, 'worker API'], [callbacks, 'callback server']] as const) {
        server.on('error', (error) => deps.log.error({ err: error }, `${name} error`));
      }
      return { port, callbackPort };
    },
    async close(handBackMs = 0) {
      await Promise.all([jobs.shutdown(handBackMs), library.shutdown()]);
      hub.close();
      await Promise.all([closeServer(api), closeServer(callbacks)]);
    },
  };
}
