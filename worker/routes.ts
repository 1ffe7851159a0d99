/** The worker API's routes (SPEC "Worker HTTP API", plus the cartridge's link and doctor's path check). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PlexBeamError, isPlexBeamError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { HealthBody, StoppingHealthBody } from '../core/wire/health.ts';
import { validateCallbackReply } from '../core/wire/link.ts';
import { validateTranscodeRequest } from '../core/wire/transcode.ts';
import { readJsonBody, sendError, sendJson } from './http-io.ts';
import { isActive, jobStatus } from './job.ts';
import type { JobManager } from './jobs.ts';
import type { LibraryManager } from './library/manager.ts';
import { libraryRoutes } from './library/routes.ts';
import type { Refusal, WorkerMetrics } from './metrics.ts';
import { parsePathStatRequest, statPaths } from './path-stat.ts';
import type { HardwareProbe } from './probe/index.ts';
import { createPathPolicy, type PathPolicy } from './sandbox/path-policy.ts';

export interface RouteDeps {
  jobs: JobManager;
  hardware: HardwareProbe;
  metrics: WorkerMetrics;
  version: string;
  maxBodyBytes: number;
  isAuthorized(req: IncomingMessage): boolean;
  pathPolicy(): PathPolicy;
  /** Bytes all links keep now (for /metrics). */
  linkBytes(): number;
  log: Logger;
  /** What confines ffmpeg here (worker/confine), for `/health`. */
  confinement?: 'bubblewrap' | 'unconfined';
  /** Library re-encodes (worker/library): `/library/jobs`, and `library` in `/health`. */
  library?: LibraryManager;
}

type Handler = (req: IncomingMessage, res: ServerResponse, id: string, url: URL) => Promise<void> | void;

const REFUSALS: Record<string, Refusal> = {
  WORKER_BAD_REQUEST: 'malformed', WORKER_TOO_LARGE: 'malformed', WORKER_FORBIDDEN: 'forbidden', WORKER_BUSY: 'busy', TRANSLATE_UNSUPPORTED: 'untranslatable',
};

/** Returns the request handler of the API server. */
export function createRoutes(deps: RouteDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { jobs } = deps;
  const findJob = (id: string) => {
    const job = jobs.get(id);
    if (job === undefined) throw new PlexBeamError('WORKER_NOT_FOUND', `no job ${id}`);
    return job;
  };
  // `plexbeam worker drain`: new jobs are refused (503), running segmented ones handed back at their
  // next segment, the others finish (jobs.ts); /health says `draining: true`.
  const setDraining = (on: boolean): Handler => (_req, res) => {
    jobs.setDraining(on);
    sendJson(res, 200, { draining: on, jobs: jobs.counts(), handing_back: on ? jobs.segmentedActive() : 0 });
  };
  const routes: [string, RegExp, Handler][] = [
    ['POST', /^\/drain$/, setDraining(true)],
    ['POST', /^\/resume$/, setDraining(false)],
    ['POST', /^\/transcode$/, async (req, res) => {
      try {
        const request = validateTranscodeRequest(await readJsonBody(req, deps.maxBodyBytes));
        const job = jobs.submit(request);
        sendJson(res, 202, { job_id: job.id, state: job.state, link: `/jobs/${job.id}/link` });
      } catch (error) {
        const refusal = isPlexBeamError(error) ? REFUSALS[error.code] : undefined;
        if (refusal !== undefined) {
          deps.metrics.refused(refusal);
          deps.log.info({ code: (error as PlexBeamError).code }, `transcode refused: ${(error as Error).message}`);
        }
        throw error;
      }
    }],
    ['GET', /^\/status\/([^/]+)$/, (_req, res, id) => sendJson(res, 200, jobStatus(findJob(id)))],
    ['DELETE', /^\/jobs\/([^/]+)$/, async (_req, res, id) => {
      const job = findJob(id);
      await jobs.cancel(job);
      sendJson(res, 200, jobStatus(job));
    }],
    ['GET', /^\/jobs\/([^/]+)\/link$/, (_req, res, id, url) => {
      const job = findJob(id);
      job.log.info({ active: isActive(job) }, 'cartridge link opened');
      job.link.attach(res, Number(url.searchParams.get('after') ?? 0) || 0);
    }],
    ['POST', /^\/jobs\/([^/]+)\/callback-replies$/, async (req, res, id) => {
      const job = findJob(id);
      const reply = validateCallbackReply(await readJsonBody(req, deps.maxBodyBytes));
      const delivered = job.replies.settle(reply.seq, reply);
      job.log.debug({ seq: reply.seq, status: reply.status, delivered }, 'callback reply');
      res.writeHead(204).end();
    }],
    // Stream mode (worker/stream): the cartridge's answers to `read` messages, and the output files it fetches.
    ['PUT', /^\/jobs\/([^/]+)\/reads\/\d+$/, (req, res, id, url) => {
      const stream = findJob(id).stream;
      if (stream === undefined) throw new PlexBeamError('WORKER_NOT_FOUND', `job ${id} does not stream`);
      stream.settleRead(Number(url.pathname.split('/').pop()), req, res);
    }],
    ['GET', /^\/jobs\/([^/]+)\/files$/, (_req, res, id, url) => {
      const stream = findJob(id).stream;
      if (stream === undefined) throw new PlexBeamError('WORKER_NOT_FOUND', `job ${id} does not stream`);
      stream.serveFile(url.searchParams.get('path') ?? '', res, url.searchParams.get('follow') === '1');
    }],
    ...(deps.library === undefined ? [] : libraryRoutes(deps.library, { maxBodyBytes: deps.maxBodyBytes, draining: () => jobs.handingBack || jobs.draining })),
    ['GET', /^\/metrics$/, (_req, res) => {
      const text = deps.metrics.render({ ...jobs.counts(), hwaccel: deps.hardware.hwaccel, encoders: deps.hardware.encoders, linkBytes: deps.linkBytes() });
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text);
    }],
    ['POST', /^\/paths\/stat$/, async (req, res) => {
      const paths = parsePathStatRequest(await readJsonBody(req, deps.maxBodyBytes));
      sendJson(res, 200, { results: await statPaths(paths, deps.pathPolicy()) });
    }],
  ];

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://worker');
    const handle = async () => {
      if (req.method === 'GET' && url.pathname === '/health') return sendHealth(res, deps, jobs.handingBack);
      if (!deps.isAuthorized(req)) {
        deps.metrics.refused('unauthorized');
        throw new PlexBeamError('WORKER_UNAUTHORIZED', 'missing or wrong X-API-Key');
      }
      const matches = routes.filter(([, pattern]) => pattern.test(url.pathname));
      const route = matches.find(([method]) => method === req.method);
      if (route === undefined) {
        if (matches.length > 0) res.setHeader('allow', matches.map(([method]) => method).join(', '));
        throw new PlexBeamError('WORKER_NOT_FOUND', matches.length > 0 ? `${req.method} is not allowed on ${url.pathname}` : `no route ${url.pathname}`);
      }
      const id = route[1].exec(url.pathname)?.[1] ?? '';
      await route[2](req, res, id, url);
    };
    handle().catch((error) => {
      if (sendError(res, error) === 500) deps.log.error({ err: error }, `worker API error on ${req.method} ${url.pathname}`);
    });
  };
}

function sendHealth(res: ServerResponse, deps: RouteDeps, draining: boolean): void {
  const { hardware } = deps;
  // The body core/wire/health.ts defines (the cartridge, doctor and analyze read it there); 503 while stopping.
  const body: Omit<HealthBody, 'status'> & { status: (HealthBody | StoppingHealthBody)['status'] } = {
    status: deps.jobs.draining ? 'stopping' : 'ok',
    version: deps.version,
    hwaccel: hardware.hwaccel,
    encoders: hardware.encoders,
    jobs: deps.jobs.counts(),
    hwaccels: hardware.hwaccels,
    ffmpeg: hardware.ffmpeg.version,
    capabilities: { link: 1, callbacks: true, ws_progress: true, paths_stat: true },
    ...(deps.confinement === undefined ? {} : { confinement: deps.confinement }),
    ...(deps.library === undefined ? {} : { library: deps.library.counts() }),
    // Each live job's speed and segment, by session (plexbeam status joins them to the session log).
    sessions: deps.jobs.list().filter(isActive).map((job) => ({
      session_id: job.sessionId, state: job.state as 'queued' | 'running', speed: job.progress.speed, out_time_s: job.progress.out_time_s, segment: job.segment,
    })),
  };
  sendJson(res, deps.jobs.draining ? 503 : 200, { ...body, draining });
}
