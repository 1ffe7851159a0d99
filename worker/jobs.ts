/** The job table: admission (at most `maxJobs` at once), lookup, cancellation, draining (segmented jobs handed back), and shutdown. */
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
import { createProbeCache } from './probe-cache.ts';
import { createPathPolicy } from './sandbox/path-policy.ts';
import { createJobStream } from './stream/job-stream.ts';
import { streamedRequest } from './stream/prepare.ts';
import type { TranscodeRequest } from './sandbox/request.ts';

export interface JobManagerDeps extends Omit<RunnerDeps, 'shutdownSignal' | 'handBackRequested'> {
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
  /** Called when a drain starts or ends (the systemd status line says "draining"). */
  onDrainChange?(on: boolean): void;
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
  /** True once shutdown began (`/health` says `stopping`). */
  readonly draining: boolean;
  /**
   * `plexbeam worker drain` (true) or `resume` (false): while on, new jobs are refused and each
   * running segmented job is handed back at its next segment boundary; other jobs run to their end.
   */
  setDraining(on: boolean): void;
  /** True while a drain is on (`POST /drain`, or the hand-back part of a shutdown). */
  readonly handingBack: boolean;
  /** Active jobs with a segmented output, which a drain hands back. */
  segmentedActive(): number;
  /**
   * Refuses new jobs, cancels the running ones and waits for them. With `handBackMs`, segmented
   * jobs first have that long to be handed back at their next segment; the others are cancelled at once.
   */
  shutdown(handBackMs?: number): Promise<void>;
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
  let stopping = false;
  let handingBack = false;
  const max = deps.config.maxJobs;
  // One per worker: a seek restarts Plex's transcoder on the same file, and the restart need not probe it again.
  const probeCache = deps.probeCache ?? createProbeCache();
  const active = () => [...jobs.values()].filter(isActive);
  const setDraining = (on: boolean) => {
    if (handingBack === on) return;
    handingBack = on;
    const segmented = active().filter((job) => job.segmented).length;
    deps.log.info({ draining: on, handing_back: on ? segmented : 0 }, on ? `draining: new jobs are refused until POST /resume; ${segmented} segmented job(s) are handed back at their next segment` : 'resumed: taking new jobs');
    deps.onDrainChange?.(on);
  };
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
      if (stopping) throw new PlexBeamError('WORKER_BUSY', 'the worker is shutting down');
      if (handingBack) throw new PlexBeamError('WORKER_BUSY', 'the worker is draining: it takes no new job (plexbeam worker resume)');
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
      if (streamed !== null) job.stream = createJobStream({ link: job.link, mirror: streamed.policy.transcodeRoots[0] as string, inputs: streamed.inputs, plexArgv: request.argv, plexCwd: request.cwd, inputBase: streamed.inputBase });
      jobs.set(job.id, job);
      job.log.info({ origins: prepared.origins, progress_url: prepared.command.translation.progressUrl !== null }, 'job accepted');
      job.done = runJob(job, prepared, request, { ...deps, probeCache, shutdownSignal: shutdown.signal, handBackRequested: () => handingBack }).finally(() => {
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
      return stopping;
    },
    setDraining,
    get handingBack() {
      return handingBack;
    },
    segmentedActive: () => active().filter((job) => job.segmented).length,
    killAll() {
      for (const job of jobs.values()) if (job.pid !== null) killProcessGroup(job.pid, 'SIGKILL');
    },
    async shutdown(handBackMs = 0) {
      stopping = true;
      const segmented = active().filter((job) => job.segmented);
      if (handBackMs > 0 && segmented.length > 0) {
        // Each segmented job stops at its next segment and the cartridge resumes it elsewhere;
        // the others would start over on the next worker anyway, so waiting for them gains nothing.
        deps.log.info({ jobs: segmented.length, within_ms: handBackMs }, 'stopping: handing segmented jobs back at their next segment, cancelling the rest');
        setDraining(true);
        for (const job of active()) if (!job.segmented) job.controller.abort(new PlexBeamError('JOB_CANCELLED', 'the worker is shutting down'));
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([Promise.all(segmented.map((job) => job.done)), new Promise((resolve) => (timer = setTimeout(resolve, handBackMs)))]);
        clearTimeout(timer);
      }
      shutdown.abort(new PlexBeamError('JOB_CANCELLED', 'the worker is shutting down'));
      await Promise.all([...jobs.values()].map((job) => job.done));
    },
  };
}
