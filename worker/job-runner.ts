/**
 * Runs a prepared job to its end: probe the inputs, translate for them, start Plex's side
 * (publishers, progress requests, throttle), run ffmpeg with its timeouts, finish Plex's side,
 * then record the outcome and tell the link.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { WorkerConfig } from '../core/config.ts';
import { PlexBeamError, isPlexBeamError, type ErrorCode } from '../core/errors.ts';
import { redactArgv } from '../core/redact.ts';
import { createCaptureRequest } from './callbacks/capture-request.ts';
import type { JobConfiner } from './confine/index.ts';
import { runFfmpeg, type FfmpegExit } from './ffmpeg.ts';
import { probeInputs } from './input-probe.ts';
import type { ProbeCache } from './probe-cache.ts';
import type { Job } from './job.ts';
import type { JobRecords } from './job-records.ts';
import type { Outcome, WorkerMetrics } from './metrics.ts';
import { readProcStat } from './proc-stat.ts';
import { startPlexEmulation, type PlexEmulation } from './plex-emulation.ts';
import { buildJobEnv } from './sandbox/env.ts';
import type { PreparedJob } from './sandbox/index.ts';
import type { TranscodeRequest } from './sandbox/request.ts';

export interface RunnerDeps {
  config: Pick<WorkerConfig, 'ffmpegPath' | 'ffprobePath' | 'jobTimeoutS' | 'stallTimeoutS'>;
  metrics: WorkerMetrics;
  workerEnv: NodeJS.ProcessEnv;
  /** Parent of the per-job scratch folders and the shared cache. */
  scratchRoot: string;
  /** Aborted when the worker shuts down. */
  shutdownSignal: AbortSignal;
  forceKillAfterMs: number;
  /** The kernel sandbox of each job's ffprobe and ffmpeg (worker/confine); absent: they run unconfined. */
  confine?: JobConfiner;
  /** What the worker started, on disk, for the next worker to clean up after a crash. */
  records: JobRecords;
  /** ffprobe facts of files probed for earlier jobs (a seek's restart, a second play); absent: every job probes. */
  probeCache?: ProbeCache;
  /** Waits for the callbacks ffmpeg sent just before it exited. */
  drainCallbacks(job: Job): Promise<void>;
  /** Called on every state change and progress block (WebSocket, systemd status). */
  onUpdate(job: Job, kind: 'state' | 'progress'): void;
  /** True while the worker drains: a segmented job is handed back at its next segment boundary. */
  handBackRequested(): boolean;
}

/** How long a stream-mode job's last outputs may take to reach the cartridge after ffmpeg exited. */
const STREAM_FINISH_MS = 120_000;

/** Runs the job; never throws (the outcome is recorded on the job). */
export async function runJob(job: Job, prepared: PreparedJob, request: TranscodeRequest, deps: RunnerDeps): Promise<void> {
  const scratchDir = join(deps.scratchRoot, 'jobs', job.id);
  const signal = AbortSignal.any([job.controller.signal, deps.shutdownSignal]);
  // One abort, in a fixed order: Plex's side first (its throttle resumes a paused ffmpeg, which
  // would otherwise sit stopped with the SIGTERM pending), then ffmpeg's own cancellation.
  const plexStop = new AbortController();
  const ffmpegStop = new AbortController();
  const stopInOrder = () => {
    plexStop.abort(signal.reason);
    ffmpegStop.abort(signal.reason);
  };
  if (signal.aborted) stopInOrder();
  else signal.addEventListener('abort', stopInOrder, { once: true });
  const abort = (code: ErrorCode, message: string) => job.controller.abort(new PlexBeamError(code, message));
  const stalled = () => abort('JOB_STALLED', `no progress from ffmpeg for ${deps.config.stallTimeoutS} s`);
  const stall = setTimeout(stalled, deps.config.stallTimeoutS * 1000);
  const timeout = setTimeout(() => abort('JOB_TIMEOUT', `ran longer than ${deps.config.jobTimeoutS} s`), deps.config.jobTimeoutS * 1000);
  // A segment boundary (published and listed to Plex): while draining, ffmpeg stops here and nothing more is published.
  const atSegment = (number: number) => {
    job.segment = number;
    if (deps.handBackRequested() && job.pid !== null) abort('WORKER_DRAINING', `the worker is draining: job handed back after segment ${number}`);
  };
  let result: FfmpegExit;
  let plex: PlexEmulation | undefined;
  try {
    deps.records.save(job.id, {});
    await mkdir(scratchDir, { recursive: true, mode: 0o700 });
    await mkdir(join(deps.scratchRoot, 'cache'), { recursive: true, mode: 0o700 });
    const env = buildJobEnv({ requestEnv: request.env, workerEnv: deps.workerEnv, scratchDir, cacheDir: join(deps.scratchRoot, 'cache') });
    const sandbox = deps.confine?.({ cwd: prepared.cwd, inputs: prepared.inputs, scratch: [scratchDir, join(deps.scratchRoot, 'cache'), ...(job.stream === undefined ? [] : [job.stream.mirror])], pathVar: env.PATH });
    const probeStarted = performance.now();
    const probe = { cached: 0, probed: 0 };
    const inputs = await probeInputs(prepared.inputs, {
      ffprobePath: deps.config.ffprobePath, cwd: prepared.cwd, env, signal, wrap: sandbox?.ffprobe, stats: probe, ...(job.stream === undefined ? {} : { httpFiles: job.stream.fileInputs }),
      ...(deps.probeCache === undefined ? {} : { cache: deps.probeCache }),
    });
    const probeMs = Math.round(performance.now() - probeStarted);
    const command = prepared.commandFor(inputs);
    signal.throwIfAborted();
    const { argv, translation } = command;
    deps.records.save(job.id, { staging: translation.postProcess.map((desc) => resolve(prepared.cwd, desc.stageDir)) });
    job.segmented = translation.postProcess.length > 0;
    plex = startPlexEmulation({ translation, cwd: prepared.cwd, inputs, request: createCaptureRequest(prepared.callbackBase), signal: plexStop.signal, log: job.log, onSegment: atSegment });
    job.startedAt = Date.now();
    job.state = 'running';
    deps.onUpdate(job, 'state');
    deps.metrics.jobStarted();
    result = await runFfmpeg({
      path: deps.config.ffmpegPath,
      argv,
      cwd: prepared.cwd,
      env,
      signal: ffmpegStop.signal,
      forceKillAfterMs: deps.forceKillAfterMs,
      wrap: sandbox?.ffmpeg,
      onSpawn: (pid) => {
        job.pid = pid;
        deps.records.save(job.id, { pgid: pid, pgid_start: readProcStat(pid)?.startTime ?? null });
        stall.refresh();
        plex?.spawned(pid);
        // The callback token is a secret too: it stays out of the log.
        const shown = redactArgv(argv).map((arg) => arg.replaceAll(job.callbackToken, 'REDACTED'));
        job.log.info({ ffmpeg_pid: pid, argv: shown, cwd: prepared.cwd, dropped: translation.dropped, warnings: translation.warnings, confinement: sandbox?.note() ?? { mode: 'unconfined' }, probe: { ...probe, ms: probeMs } }, 'job started');
      },
      onStderr: (data) => job.link.send({ type: 'stderr', data }),
      onProgressData: (text) => plex?.progress(text),
      onProgress: (block) => {
        stall.refresh();
        job.progress = { out_time_s: block.out_time_s, speed: block.speed, fps: block.fps };
        job.link.send({ type: 'progress', ...block });
        deps.onUpdate(job, 'progress');
      },
    });
  } catch (error) {
    result = { code: null, signal: null, spawnError: error as Error, stderrTail: [] };
  } finally {
    clearTimeout(stall);
    clearTimeout(timeout);
  }
  job.pid = null;
  const handedBack = signal.aborted && isPlexBeamError(signal.reason, 'WORKER_DRAINING');
  // Before the outcome: the job's capture URLs only answer while it is active.
  const warnings = (await plex?.finish().catch((error: Error) => [error.message])) ?? [];
  if (!signal.aborted) job.segment = plex?.segment() ?? null;
  await deps.drainCallbacks(job);
  // Stream mode: what ffmpeg wrote last reaches the Plex machine before the exit does (a handed-back job's segments too).
  await job.stream?.finish(STREAM_FINISH_MS, !signal.aborted || handedBack);
  job.stream?.close();
  recordOutcome(job, result, signal, warnings);
  const exit = { type: 'exit', state: job.state, code: job.exitCode, signal: job.exitSignal, error: job.error, error_code: job.errorCode };
  // A handed-back job names the last segment Plex has: the cartridge resumes from the one after it.
  job.link.finish(job.state === 'handed-back' ? { ...exit, segment: job.segment } : exit);
  deps.metrics.jobEnded(job.state as Outcome, ((job.endedAt ?? 0) - job.createdAt) / 1000, job.errorCode ?? undefined);
  deps.onUpdate(job, 'state');
  await rm(scratchDir, { recursive: true, force: true }).catch(() => undefined);
  if (job.stream !== undefined) await rm(job.stream.mirror, { recursive: true, force: true }).catch(() => undefined);
  deps.records.remove(job.id);
}

/** Records the outcome (completed/failed/cancelled, exit code, error) and writes the job's last log line. */
function recordOutcome(job: Job, result: FfmpegExit, signal: AbortSignal, warnings: string[]): void {
  job.endedAt = Date.now();
  job.exitCode = result.code;
  job.exitSignal = result.signal;
  const reason: unknown = signal.reason;
  const startError = result.spawnError;
  if (signal.aborted && isPlexBeamError(reason, 'WORKER_DRAINING')) {
    // Stopped on purpose at a segment boundary: ffmpeg's exit (SIGTERM's) says nothing about the job.
    job.state = 'handed-back';
    job.exitCode = null;
    job.exitSignal = null;
    job.errorCode = reason.code;
    job.error = reason.message;
  } else if (signal.aborted) {
    const code = isPlexBeamError(reason) ? reason.code : 'JOB_CANCELLED';
    // A timeout or a stall is a failure; a DELETE, a lost link or a shutdown is a cancellation.
    job.state = code === 'JOB_TIMEOUT' || code === 'JOB_STALLED' ? 'failed' : 'cancelled';
    job.errorCode = code;
    job.error = isPlexBeamError(reason) ? reason.message : 'cancelled';
  } else if (startError !== null) {
    // A translation or sandbox refusal once the inputs were probed keeps its own code (422/403 at POST time).
    job.state = 'failed';
    job.errorCode = isPlexBeamError(startError) ? startError.code : 'FFMPEG_FAILED';
    job.error = isPlexBeamError(startError) ? startError.message : `cannot start ffmpeg: ${startError.message}`;
  } else if (result.code === 0) {
    job.state = 'completed';
  } else {
    job.state = 'failed';
    job.errorCode = 'FFMPEG_FAILED';
    job.error = result.code === null ? `ffmpeg was killed by ${result.signal}` : `ffmpeg exited with code ${result.code}`;
  }
  const fields = {
    state: job.state, exit_code: job.exitCode, signal: job.exitSignal, code: job.errorCode, seconds: (job.endedAt - job.createdAt) / 1000,
    ...(warnings.length > 0 ? { publish_warnings: warnings } : {}),
  };
  if (job.state === 'failed') job.log.error({ ...fields, stderr: result.stderrTail }, `job failed: ${job.error}`);
  else job.log.info(job.state === 'handed-back' ? { ...fields, segment: job.segment } : fields, job.state === 'completed' ? 'job completed' : job.state === 'handed-back' ? `job handed back: ${job.error}` : `job cancelled: ${job.error}`);
}
