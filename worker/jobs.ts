/** The job table: admission (at most `maxJobs` at once), lookup, cancellation, and draining on shutdown. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { PlexBeamError } from '../core/errors.ts';
import type { WorkerConfig } from '../core/config.ts';
import type { Logger } from '../core/log.ts';
import type { LinkStore } from './callbacks/link-store.ts';
import { killProcessGroup } from './ffmpeg.ts';
import { createJob, isActive, newJobIdentity, type Job } from './job.ts';
import { runJob, type RunnerDeps } from './job-runner.ts';
import type { HardwareProbe } from './probe/index.ts';
import { prepareJob, type PrepareContext } from './sandbox/index.ts';
import { createPathPolicy } from './sandbox/path-policy.ts';
import { createJobStream } from './stream/job-stream.ts';
import { streamedRequest } from './stream/prepare.ts';
import type { TranscodeRequest } from './sandbox/request.ts';

export interface JobManagerDeps extends Omit<RunnerDeps, 'shutdownSignal'> {
  config: WorkerConfig;
  hardware: HardwareProbe;
  log: Logger;
  /** Port of the loopback callback server (known once it listens). */
  callbackPort(): number;
  /** How long a job outlives its cartridge's closed link, in ms. */
  linkGraceMs: number;
  /** How long an ended job stays queryable, in ms (its link's messages go sooner: link-store.ts). */
  keepEndedMs: number;
  links: LinkStore;
}

export interface JobManager {
  /**
   * Checks, translates and queues a job (its inputs are probed when it starts); throws WORKER_BUSY
   * (503), WORKER_FORBIDDEN (403), WORKER_BAD_REQUEST (400) or TRANSLATE_UNSUPPORTED (422).
   */
  submit(request: TranscodeRequest): Job;
  get(id: string): Job | undefined;
  /** Every job still known (active, or ended within `keepEndedMs`). */
  list(): Job[];
  /** Cancels a job (if still active) and resolves once its ffmpeg is gone. */
  cancel(job: Job): Promise<void>;
  counts(): { running: number; queued: number; max: number };
  readonly draining: boolean;
  /** Refuses new jobs, cancels the running ones and waits for them. */
  shutdown(): Promise<void>;
  /** SIGKILLs every running ffmpeg's process group now (the worker is about to exit without waiting). */
  killAll(): void;
}

/** What the translation needs of the probe: the backend and every encoder that passed a test encode (software ones too). */
function translateContextOf(hardware: HardwareProbe): PrepareContext['translate'] {
  const working = hardware.candidates.filter((c) => c.verdict === 'ok').map((c) => c.encoder);
  const usesRenderNode = hardware.hwaccel === 'vaapi' || hardware.hwaccel === 'qsv';
  return {
    backend: hardware.hwaccel,
    encoders: [...new Set([...hardware.encoders, ...working])],
    ...(usesRenderNode && hardware.device !== null ? { vaapiDevice: hardware.device } : {}),
  };
}

/** Creates the job table. */
export function createJobManager(deps: JobManagerDeps): JobManager {
  const jobs = new Map<string, Job>();
  const shutdown = new AbortController();
  const max = deps.config.maxJobs;
  const counts = () => {
    let running = 0;
    let queued = 0;
    for (const job of jobs.values()) {
      if (job.state === 'running') running += 1;
      else if (job.state === 'queued') queued += 1;
    }
    return { running, queued, max };
  };

  return {
    submit(request) {
      if (shutdown.signal.aborted) throw new PlexBeamError('WORKER_BUSY', 'the worker is shutting down');
      const { running, queued } = counts();
      if (running + queued >= max) throw new PlexBeamError('WORKER_BUSY', `the worker is full (${running + queued} of ${max} jobs)`);
      const identity = newJobIdentity();
      // Stream mode (worker/stream): inputs through the capture server, outputs in the job's mirror folder.
      const streamed = request.stream ? streamedRequest(request, join(deps.scratchRoot, 'stream', identity.id), `http://127.0.0.1:${deps.callbackPort()}/in/${identity.id}/${identity.callbackToken}/`) : null;
      let prepared;
      try {
        prepared = prepareJob(streamed?.request ?? request, {
          policy: streamed?.policy ?? createPathPolicy(deps.config),
          allowHttpInputs: deps.config.allowHttpInputs,
          translate: translateContextOf(deps.hardware),
          callbacks: { port: deps.callbackPort(), jobId: identity.id, token: identity.callbackToken },
          ...(streamed === null ? {} : { streamInputBase: streamed.inputBase }),
        });
      } catch (error) {
        if (streamed !== null) rmSync(streamed.policy.transcodeRoots[0] as string, { recursive: true, force: true });
        throw error;
      }
      const job = createJob(identity, {
        sessionId: request.sessionId,
        origins: prepared.origins,
        log: deps.log,
        linkGraceMs: deps.linkGraceMs,
        links: deps.links,
        onLinkLost: (lost) => {
          lost.log.warn('cartridge link lost: killing the job');
          lost.controller.abort(new PlexBeamError('JOB_LINK_LOST', `the cartridge's link closed and was not reopened within ${deps.linkGraceMs} ms`));
        },
      });
      if (streamed !== null) job.stream = createJobStream({ link: job.link, mirror: streamed.policy.transcodeRoots[0] as string, inputs: streamed.inputs, plexArgv: request.argv, plexCwd: request.cwd });
      jobs.set(job.id, job);
      job.log.info({ origins: prepared.origins, progress_url: prepared.command.translation.progressUrl !== null }, 'job accepted');
      job.done = runJob(job, prepared, request, { ...deps, shutdownSignal: shutdown.signal }).finally(() => {
        // Ended jobs stay queryable for a while, then go (with their link's buffered messages).
        setTimeout(() => {
          job.link.close();
          jobs.delete(job.id);
        }, deps.keepEndedMs).unref();
      });
      return job;
    },
    get: (id) => jobs.get(id),
    list: () => [...jobs.values()],
    async cancel(job) {
      if (isActive(job)) {
        job.log.info('job cancel requested');
        job.controller.abort(new PlexBeamError('JOB_CANCELLED', 'cancelled by the client'));
      }
      await job.done;
    },
    counts,
    get draining() {
      return shutdown.signal.aborted;
    },
    killAll() {
      for (const job of jobs.values()) if (job.pid !== null) killProcessGroup(job.pid, 'SIGKILL');
    },
    async shutdown() {
      shutdown.abort(new PlexBeamError('JOB_CANCELLED', 'the worker is shutting down'));
      await Promise.all([...jobs.values()].map((job) => job.done));
    },
  };
}
