/**
 * The worker's library jobs (docs/WORKER.md "Library re-encode"): a queue apart from the live
 * transcodes (never counted in `maxJobs`, never blocking one), `worker.libraryJobs` at once, each
 * paused (SIGSTOP to its ffmpeg's process group) while any live transcode is queued or running
 * and resumed (SIGCONT) when none is. The output is created empty and exclusively by the worker
 * before ffmpeg runs; a failed or cancelled job's partial output is removed.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, createReadStream, existsSync, fstatSync, lstatSync, openSync, realpathSync, rmSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, dirname, extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { WorkerConfig } from '../../core/config.ts';
import { PlexBeamError, isPlexBeamError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { LIBRARY_SHA256_HEADER, type LibraryJobState, type LibraryJobStatus } from '../../core/wire/library.ts';
import { backendDevices, emptySpec, UNCONFINED, wrapCommand, type Confinement, type SandboxSpec } from '../confine/index.ts';
import { resolveExecutable } from '../confine/executable.ts';
import { killProcessGroup, runFfmpeg, type CommandWrapper } from '../ffmpeg.ts';
import { probeInputs } from '../input-probe.ts';
import type { HardwareProbe } from '../probe/index.ts';
import { runTestEncode, testEncodeArgs } from '../probe/test-encode.ts';
import { readProcStat } from '../proc-stat.ts';
import { sendJson } from '../http-io.ts';
import { buildLibraryArgv, type LibraryStream } from './argv.ts';
import { pickLibraryEncoder, type LibraryEncoder } from './encoder.ts';
import { cleanLibraryLeftovers, createLibraryRecords } from './records.ts';
import { checkLibraryPaths, parseLibraryRequest, type LibraryRequest } from './request.ts';
import { librarySandboxSpec } from './sandbox.ts';
import { checkChunk, cleanStreamScratch, createStreamScratch, removeStreamScratch, sealOutput, writeChunk, type StreamScratch } from './stream-scratch.ts';
import { createPathPolicy } from '../sandbox/path-policy.ts';
import { buildJobEnv } from '../sandbox/env.ts';

export interface LibraryManagerDeps {
  config: Pick<WorkerConfig, 'ffmpegPath' | 'ffprobePath' | 'mediaRoots' | 'transcodeRoots' | 'pathMap' | 'libraryJobs'> & Partial<Pick<WorkerConfig, 'stallTimeoutS'>>;
  hardware: HardwareProbe;
  log: Logger;
  workerEnv: NodeJS.ProcessEnv;
  /** `<scratchRoot>/library` holds the crash records. */
  scratchRoot: string;
  /** What confines the live jobs' ffmpeg (worker/confine): library jobs get the same kernel sandbox. */
  confineMode: Confinement['mode'];
  forceKillAfterMs: number;
  /** How long an ended job stays queryable, in ms. */
  keepEndedMs: number;
  /** True while a live transcode is queued or running. */
  liveActive(): boolean;
  /** A stream-mode job whose upload sends no chunk for this long fails, in ms (default 10 minutes). */
  inputIdleMs?: number;
}

/** One library job. */
interface LibraryJob {
  readonly id: string;
  readonly request: LibraryRequest;
  readonly encoder: LibraryEncoder;
  /** Real paths (the folder resolved): what the sandbox binds. */
  readonly realInput: string;
  readonly realOutput: string;
  /** The inode of the output the worker created (only that file is ever removed). */
  readonly ino: number;
  state: LibraryJobState;
  percent: number | null;
  speed: number | null;
  etaS: number | null;
  error: string | null;
  duration: number | null;
  outTimeS: number;
  /** ffmpeg's (or its sandbox's) process group while it runs. */
  pgid: number | null;
  pgidStart: number | null;
  /** Encoding time not paused, in ms, and since when it runs (null while paused or not started). */
  activeMs: number;
  activeSince: number | null;
  readonly controller: AbortController;
  /** Fails the job when ffmpeg sends no progress for `stallTimeoutS` while it runs (disarmed while paused). */
  stall: NodeJS.Timeout | null;
  done: Promise<void>;
  readonly log: Logger;
  /** Stream mode: the job's scratch (its uploaded input and its output); null on shared storage. */
  readonly stream: StreamScratch | null;
  /** The error's code (core/errors.ts) when known. */
  code: string | null;
  /** Stream mode: fails the job when its upload stalls. */
  inputTimer: NodeJS.Timeout | null;
}

export interface LibraryManager {
  /** Checks and queues a job (400/403 as `request.ts` says; 503 when off, full, stopping, or without an encoder for the codec). */
  submit(body: unknown): Promise<LibraryJobStatus>;
  get(id: string): LibraryJobStatus | undefined;
  list(): LibraryJobStatus[];
  /** Cancels the job (if active) and removes its output (partial, or finished and not taken); 404 unknown. */
  cancel(id: string): Promise<LibraryJobStatus>;
  /** For `/health`: jobs encoding, paused for live play, and waiting. */
  counts(): { running: number; paused: number; queued: number; max: number };
  /** A live transcode is being admitted: pause every library ffmpeg now. */
  hold(): void;
  /** Live jobs changed: pause while any is active, else resume and start queued jobs. */
  liveChanged(): void;
  /** Kills what a previous worker's library jobs left and removes their partial outputs. */
  cleanLeftovers(): Promise<void>;
  /** Refuses new jobs, cancels the active ones (outputs removed) and waits for them. */
  shutdown(): Promise<void>;
  /** SIGKILLs every library ffmpeg now. */
  killAll(): void;
  /** `PUT /library/jobs/:id/input?offset=N`: writes one chunk of a stream-mode job's input; answers 200 with the status, 409 with `received` when not at that offset. */
  writeInput(id: string, req: IncomingMessage, res: ServerResponse, offset: string | null): Promise<void>;
  /** `GET /library/jobs/:id/output`: streams a completed stream-mode job's encode (409 before). */
  serveOutput(id: string, res: ServerResponse): Promise<void>;
}

/** Queued jobs kept at most (the Plex side hands out one at a time per worker). */
const MAX_QUEUED = 64;

const busy = (message: string) => new PlexBeamError('WORKER_BUSY', message);

/** The status body of a job. */
function statusOf(job: LibraryJob): LibraryJobStatus {
  return {
    id: job.id, state: job.state, percent: job.percent, speed: job.speed, etaS: job.state === 'paused' ? null : job.etaS, error: job.error,
    codec: job.request.codec, encoder: job.encoder.name, input: job.request.input, output: job.request.output,
    ...(job.code === null ? {} : { code: job.code }),
    ...(job.stream === null ? {} : { stream: { size: job.stream.size, received: job.stream.received, outputSize: job.stream.outputSize, sha256: job.stream.sha256 } }),
  };
}

/** The words ffmpeg prints when a write fails for want of space (it may still exit 0, its trailer unwritten). */
const NO_SPACE = /No space left on device/;

const isActive = (job: LibraryJob) => job.state === 'queued' || job.state === 'running' || job.state === 'paused';

/** Creates the library job table. */
export function createLibraryManager(deps: LibraryManagerDeps): LibraryManager {
  const jobs = new Map<string, LibraryJob>();
  const max = deps.config.libraryJobs ?? 1;
  const recordsDir = join(deps.scratchRoot, 'library');
  let records: ReturnType<typeof createLibraryRecords> | undefined;
  const recordsNow = () => (records ??= createLibraryRecords(recordsDir, deps.log));
  let stopping = false;
  const confinement: Confinement = deps.confineMode === 'bubblewrap'
    ? { mode: 'bubblewrap', bwrapPath: resolveExecutable('bwrap', deps.workerEnv.PATH), reason: null, landlock: 'not checked' }
    : UNCONFINED;
  const wrapIn = (spec: SandboxSpec): CommandWrapper => (file, args) => {
    // Never unconfined by accident: the worker checked bwrap at start, and it must still be there.
    if (confinement.mode === 'bubblewrap' && confinement.bwrapPath === null) throw new PlexBeamError('CONFINEMENT_UNAVAILABLE', 'bubblewrap (bwrap) is not on PATH any more');
    return wrapCommand(confinement, file, args, spec, deps.workerEnv.PATH);
  };
  const tested = new Map<string, Promise<boolean>>();
  const works = (encoder: string) => {
    let result = tested.get(encoder);
    if (result === undefined) {
      const wrap = (file: string, args: readonly string[]) => wrapIn(emptySpec())(file, args);
      result = runTestEncode(deps.config.ffmpegPath, testEncodeArgs('software', encoder, null), 15_000, wrap).then((r) => {
        deps.log.info({ encoder, ok: r.ok, reason: r.reason }, `library encoder ${encoder} ${r.ok ? 'passed' : 'failed'} a test encode`);
        return r.ok;
      });
      tested.set(encoder, result);
    }
    return result;
  };
  // Library ffmpeg runs at the lowest CPU priority (nice 19): the worker's own answers and a live
  // play's start win the CPU before the pause takes effect, and whatever else the machine runs too.
  // Through the `nice` binary (inside the sandbox), so that ffmpeg's threads are born with it.
  const nicePath = resolveExecutable('nice', deps.workerEnv.PATH);
  const ffmpegReal = resolveExecutable(deps.config.ffmpegPath, deps.workerEnv.PATH) ?? deps.config.ffmpegPath;
  const ffmpegDir = ffmpegReal.startsWith('/') && !/^\/(usr|bin)\//.test(ffmpegReal) ? [dirname(ffmpegReal)] : [];
  // Unconfined and run by root, ffmpeg keeps its capabilities: SVT-AV1 then puts its threads on
  // SCHED_FIFO, ahead of everything (live play included). setpriv drops them, as the sandbox does.
  const setprivPath = confinement.mode === 'unconfined' && process.getuid?.() === 0 ? resolveExecutable('setpriv', deps.workerEnv.PATH) : null;
  const prefix = [...(setprivPath === null ? [] : [setprivPath, '--inh-caps=-all', '--bounding-set=-all']), ...(nicePath === null ? [] : [nicePath, '-n', '19'])];
  const wrapLowPriority = (spec: SandboxSpec): CommandWrapper => {
    const [first, ...rest] = prefix;
    if (first === undefined) return wrapIn(spec);
    // With `nice` as the command, ffmpeg's own folder is bound here (wrapCommand binds only the command's).
    const wrap = wrapIn({ ...spec, readOnly: [...ffmpegDir, ...spec.readOnly] });
    return (_file, args) => wrap(first, [...rest, ffmpegReal, ...args]);
  };
  const env = buildJobEnv({ requestEnv: {}, workerEnv: deps.workerEnv, scratchDir: '/tmp', cacheDir: '/tmp' });

  const stallS = deps.config.stallTimeoutS ?? 60;
  const armStall = (job: LibraryJob) => {
    if (job.stall !== null) clearTimeout(job.stall);
    job.stall = setTimeout(() => job.controller.abort(new PlexBeamError('JOB_STALLED', `no progress from ffmpeg for ${stallS} s`)), stallS * 1000);
  };
  const disarmStall = (job: LibraryJob) => {
    if (job.stall !== null) clearTimeout(job.stall);
    job.stall = null;
  };
  const started = () => [...jobs.values()].filter((job) => job.state === 'running' || job.state === 'paused');
  const accountActive = (job: LibraryJob) => {
    if (job.activeSince !== null) job.activeMs += Date.now() - job.activeSince;
    job.activeSince = null;
  };
  const pause = (job: LibraryJob) => {
    if (job.state !== 'running' || job.pgid === null) return;
    killProcessGroup(job.pgid, 'SIGSTOP');
    disarmStall(job);
    accountActive(job);
    job.state = 'paused';
    job.log.info({ pgid: job.pgid }, 'library job paused: a live transcode comes first');
  };
  const resume = (job: LibraryJob) => {
    if (job.state !== 'paused' || job.pgid === null) return;
    // Only the group it started: a pid whose start time changed is someone else's.
    if (readProcStat(job.pgid)?.startTime === job.pgidStart) killProcessGroup(job.pgid, 'SIGCONT');
    job.state = 'running';
    job.activeSince = Date.now();
    armStall(job);
    job.log.info({ pgid: job.pgid }, 'library job resumed: no live transcode runs');
  };
  const removeOutput = (job: LibraryJob) => {
    if (job.stream !== null) {
      removeStreamScratch(job.stream);
      return;
    }
    try {
      const stats = lstatSync(job.realOutput);
      if (stats.isFile() && stats.ino === job.ino) rmSync(job.realOutput, { force: true });
    } catch {
      // gone already (swapped in by the Plex side, or removed)
    }
  };
  const end = (job: LibraryJob, state: LibraryJobState, error: string | null, code: string | null = null) => {
    accountActive(job);
    disarmStall(job);
    if (job.inputTimer !== null) clearTimeout(job.inputTimer);
    job.inputTimer = null;
    job.code = code;
    job.state = state;
    job.error = error;
    job.pgid = null;
    if (state !== 'completed') removeOutput(job);
    recordsNow().remove(job.id);
    const fields = { state, error, code, encoder: job.encoder.name, seconds: job.activeMs / 1000 };
    if (state === 'failed') job.log.error(fields, `library job failed: ${error}`);
    else job.log.info(fields, state === 'completed' ? 'library job completed' : `library job cancelled: ${error}`);
    setTimeout(() => {
      jobs.delete(job.id);
      // A completed stream job's encode that the Plex side never took: its scratch goes with it.
      if (job.stream !== null) removeStreamScratch(job.stream);
    }, deps.keepEndedMs).unref();
  };

  const run = async (job: LibraryJob): Promise<void> => {
    const signal = job.controller.signal;
    job.state = 'running';
    let noSpace = false;
    let stderrEnd = '';
    try {
      const devices = job.encoder.hwaccel === 'software' ? [] : backendDevices(deps.hardware);
      const [facts] = await probeInputs([job.realInput], { ffprobePath: deps.config.ffprobePath, cwd: dirname(job.realInput), env, signal, wrap: wrapIn(librarySandboxSpec(job.realInput, null, [])) });
      signal.throwIfAborted();
      if (facts === undefined) throw new PlexBeamError('FFMPEG_FAILED', 'ffprobe could not read the input');
      job.duration = facts.duration ?? null;
      const argv = buildLibraryArgv({ ...job.request, input: job.realInput, output: job.realOutput }, job.encoder, facts.streams as LibraryStream[]);
      const result = await runFfmpeg({
        path: deps.config.ffmpegPath,
        argv,
        cwd: dirname(job.realInput),
        env,
        signal,
        forceKillAfterMs: deps.forceKillAfterMs,
        wrap: wrapLowPriority(librarySandboxSpec(job.realInput, job.realOutput, devices)),
        onSpawn: (pid) => {
          job.pgid = pid;
          job.pgidStart = readProcStat(pid)?.startTime ?? null;
          job.activeSince = Date.now();
          armStall(job);
          recordsNow().save(job.id, { pgid: pid, pgid_start: job.pgidStart });
          job.log.info({ ffmpeg_pid: pid, encoder: job.encoder.name, argv, confinement: confinement.mode, nice: nicePath === null ? 0 : 19, capabilities: confinement.mode === 'bubblewrap' || setprivPath !== null ? 'none' : 'inherited' }, 'library job started');
          if (deps.liveActive()) pause(job);
        },
        onStderr: (text) => {
          // Across chunk boundaries: the end of the previous chunk with this one.
          stderrEnd = stderrEnd.slice(-64) + text;
          if (NO_SPACE.test(stderrEnd)) noSpace = true;
        },
        onProgress: (block) => {
          if (job.state === 'running') armStall(job);
          if (block.out_time_s === null) return;
          job.outTimeS = block.out_time_s;
          const activeS = (job.activeMs + (job.activeSince === null ? 0 : Date.now() - job.activeSince)) / 1000;
          // ffmpeg's own speed counts paused time; this one does not.
          job.speed = activeS > 0 ? Number((block.out_time_s / activeS).toFixed(3)) : block.speed;
          if (job.duration !== null && job.duration > 0) {
            job.percent = Math.min(100, Number(((block.out_time_s / job.duration) * 100).toFixed(1)));
            job.etaS = job.speed !== null && job.speed > 0 ? Math.max(0, Math.round((job.duration - block.out_time_s) / job.speed)) : null;
          }
        },
      });
      if (signal.aborted) {
        const reason: unknown = signal.reason;
        // A stall is a failure; a DELETE or a shutdown is a cancellation.
        end(job, isPlexBeamError(reason, 'JOB_STALLED') ? 'failed' : 'cancelled', isPlexBeamError(reason) ? reason.message : 'cancelled');
      } else if (noSpace) {
        // ffmpeg may exit 0 after a failed write: the output is truncated, never a completed encode.
        const how = result.code === null ? `was killed by ${result.signal}` : `exited with code ${result.code}`;
        end(job, 'failed', `the disk holding the output is full: ffmpeg said "No space left on device" and ${how}; the partial output was removed`, 'LIBRARY_DISK_FULL');
      } else if (result.code === 0) {
        if (job.stream !== null) await sealOutput(job.stream);
        job.percent = 100;
        job.etaS = 0;
        end(job, 'completed', null);
      } else {
        const said = result.spawnError?.message ?? result.stderrTail.at(-1) ?? '';
        end(job, 'failed', `ffmpeg ${result.code === null ? `was killed by ${result.signal}` : `exited with code ${result.code}`}${said === '' ? '' : `: ${said}`}`);
      }
    } catch (error) {
      if (signal.aborted) end(job, 'cancelled', isPlexBeamError(signal.reason) ? signal.reason.message : 'cancelled');
      else end(job, 'failed', (error as Error).message);
    }
    schedule();
  };

  const schedule = () => {
    if (stopping || deps.liveActive()) return;
    for (const job of jobs.values()) {
      if (started().length >= max) break;
      if (job.state === 'queued' && (job.stream === null || job.stream.received === job.stream.size)) job.done = run(job);
    }
  };

  const inputIdleMs = deps.inputIdleMs ?? 600_000;
  const armInputTimer = (job: LibraryJob) => {
    if (job.inputTimer !== null) clearTimeout(job.inputTimer);
    job.inputTimer = setTimeout(() => {
      if (job.state === 'queued') end(job, 'failed', `the upload of the input stopped: no chunk for ${Math.round(inputIdleMs / 1000)} s (${job.stream?.received} of ${job.stream?.size} bytes received)`);
    }, inputIdleMs);
    job.inputTimer.unref();
  };

  /** A stream-mode job: its scratch made (507 when the disk lacks room), waiting for its input. */
  const submitStream = (asked: LibraryRequest, stream: { name: string; size: number }, encoder: LibraryEncoder): LibraryJobStatus => {
    const id = randomUUID();
    const reserved = [...jobs.values()].filter((job) => job.stream !== null && (isActive(job) || job.state === 'completed')).reduce((sum, job) => sum + 2 * (job.stream?.size ?? 0), 0);
    const scratch = createStreamScratch(deps.scratchRoot, id, extname(stream.name).toLowerCase(), stream.size, reserved);
    const request: LibraryRequest = { ...asked, input: scratch.input, output: scratch.output };
    const job: LibraryJob = {
      id, request, encoder, realInput: scratch.input, realOutput: scratch.output, ino: scratch.ino, state: 'queued', percent: null, speed: null, etaS: null, error: null, duration: null, outTimeS: 0,
      pgid: null, pgidStart: null, activeMs: 0, activeSince: null, controller: new AbortController(), stall: null, done: Promise.resolve(), log: deps.log.child({ library_job: id }),
      stream: scratch, code: null, inputTimer: null,
    };
    jobs.set(id, job);
    recordsNow().save(id, { output: scratch.output, ino: scratch.ino });
    armInputTimer(job);
    job.log.info({ name: stream.name, size: stream.size, codec: asked.codec, quality: asked.quality, encoder: encoder.name, scratch: scratch.dir }, 'library job accepted (stream mode: waiting for its input)');
    return statusOf(job);
  };

  const cancel = async (job: LibraryJob, reason: string) => {
    if (job.state === 'queued') {
      end(job, 'cancelled', reason);
      return;
    }
    if (isActive(job)) {
      const wasPaused = job.state === 'paused';
      job.log.info('library job cancel requested');
      // The abort sends SIGTERM to ffmpeg; a stopped group only acts on it once continued.
      job.controller.abort(new PlexBeamError('JOB_CANCELLED', reason));
      if (wasPaused && job.pgid !== null) killProcessGroup(job.pgid, 'SIGCONT');
    }
    await job.done;
  };

  return {
    async submit(body) {
      if (stopping) throw busy('the worker is shutting down');
      if (max === 0) throw busy('library jobs are off on this worker (worker.libraryJobs is 0)');
      const asked = parseLibraryRequest(body);
      if (asked.stream === undefined) checkLibraryPaths(asked, createPathPolicy(deps.config).mediaRoots);
      if ([...jobs.values()].filter((job) => job.state === 'queued').length >= MAX_QUEUED) throw busy(`the library queue is full (${MAX_QUEUED} jobs waiting)`);
      const encoder = await pickLibraryEncoder(asked.codec, deps.hardware, works);
      if (encoder === null) throw busy(`this worker cannot encode ${asked.codec}: no ${asked.codec} encoder passed a test encode`);
      if (asked.stream !== undefined) return submitStream(asked, asked.stream, encoder);
      const request = asked;
      // Created here, exclusively (O_EXCL, never through a symlink), with the input's permission bits: ffmpeg only ever writes this file.
      // Real paths: the sandbox binds them (a media root may be a symlink); checkLibraryPaths proved the folder is inside one.
      const realInput = join(realpathSync(dirname(request.input)), basename(request.input));
      const realOutput = join(dirname(realInput), basename(request.output));
      let ino: number;
      try {
        const fd = openSync(realOutput, 'wx', statSync(realInput).mode & 0o666);
        ino = fstatSync(fd).ino;
        closeSync(fd);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new PlexBeamError('WORKER_FORBIDDEN', code === 'EEXIST' ? `output ${JSON.stringify(request.output)} exists: a library job never overwrites a file` : `cannot create output ${JSON.stringify(request.output)}: ${code ?? (error as Error).message}`);
      }
      const id = randomUUID();
      const job: LibraryJob = {
        id, request, encoder, realInput, realOutput, ino, state: 'queued', percent: null, speed: null, etaS: null, error: null, duration: null, outTimeS: 0,
        pgid: null, pgidStart: null, activeMs: 0, activeSince: null, controller: new AbortController(), stall: null, done: Promise.resolve(), log: deps.log.child({ library_job: id }),
        stream: null, code: null, inputTimer: null,
      };
      jobs.set(id, job);
      recordsNow().save(id, { output: realOutput, ino });
      job.log.info({ input: request.input, output: request.output, codec: request.codec, quality: request.quality, encoder: encoder.name }, 'library job accepted');
      schedule();
      return statusOf(job);
    },
    get: (id) => {
      const job = jobs.get(id);
      return job === undefined ? undefined : statusOf(job);
    },
    list: () => [...jobs.values()].map(statusOf),
    async cancel(id) {
      const job = jobs.get(id);
      if (job === undefined) throw new PlexBeamError('WORKER_NOT_FOUND', `no library job ${id}`);
      await cancel(job, 'cancelled by the client');
      // A finished output the Plex side did not take is discarded too (DELETE means "I do not want it").
      removeOutput(job);
      return statusOf(job);
    },
    counts() {
      let running = 0;
      let paused = 0;
      let queued = 0;
      for (const job of jobs.values()) {
        if (job.state === 'running') running += 1;
        else if (job.state === 'paused') paused += 1;
        else if (job.state === 'queued') queued += 1;
      }
      return { running, paused, queued, max };
    },
    hold() {
      for (const job of started()) pause(job);
    },
    liveChanged() {
      if (deps.liveActive()) {
        for (const job of started()) pause(job);
        return;
      }
      for (const job of started()) resume(job);
      schedule();
    },
    async cleanLeftovers() {
      await cleanLibraryLeftovers(recordsDir, deps.log);
      // Stream-mode scratch folders of dead workers (their records are gone now); a live worker's keep theirs.
      const removed = cleanStreamScratch(deps.scratchRoot, (id) => jobs.has(id) || existsSync(join(recordsDir, `${id}.json`)));
      if (removed.length > 0) deps.log.warn({ removed }, `removed the stream scratch of ${removed.length} library job(s) of a previous worker`);
    },
    async writeInput(id, req, res, offset) {
      const job = jobs.get(id);
      if (job === undefined) throw new PlexBeamError('WORKER_NOT_FOUND', `no library job ${id}`);
      if (job.stream === null) throw new PlexBeamError('WORKER_NOT_FOUND', `library job ${id} reads its input from the media folders (it takes no upload)`);
      if (job.state !== 'queued' || job.stream.received === job.stream.size) {
        return sendJson(res, 409, { error: `library job ${id} takes no more input (it is ${job.state}, ${job.stream.received} of ${job.stream.size} bytes received)`, received: job.stream.received });
      }
      const chunk = checkChunk(job.stream, offset, req.headers['content-length']);
      if ('conflict' in chunk) return sendJson(res, 409, { error: chunk.conflict, received: job.stream.received });
      armInputTimer(job);
      try {
        await writeChunk(job.stream, req, chunk.offset, chunk.length);
      } catch (error) {
        if (isPlexBeamError(error, 'LIBRARY_DISK_FULL')) end(job, 'failed', error.message, 'LIBRARY_DISK_FULL');
        else job.log.warn({ offset: chunk.offset, length: chunk.length }, `library input chunk refused: ${(error as Error).message}`);
        throw error;
      }
      if (job.stream.received === job.stream.size) {
        if (job.inputTimer !== null) clearTimeout(job.inputTimer);
        job.inputTimer = null;
        job.log.info({ size: job.stream.size }, 'library job input received');
        schedule();
      }
      sendJson(res, 200, statusOf(job));
    },
    async serveOutput(id, res) {
      const job = jobs.get(id);
      if (job === undefined) throw new PlexBeamError('WORKER_NOT_FOUND', `no library job ${id}`);
      if (job.stream === null) throw new PlexBeamError('WORKER_NOT_FOUND', `library job ${id} wrote its output beside its input (nothing to download)`);
      const { outputSize, sha256 } = job.stream;
      if (job.state !== 'completed' || outputSize === null || sha256 === null) {
        return sendJson(res, 409, { error: `library job ${id} is ${job.state}: its output is served once it has completed` });
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': outputSize, [LIBRARY_SHA256_HEADER]: sha256, 'cache-control': 'no-store' });
      await pipeline(createReadStream(job.stream.output), res).catch((error: unknown) => job.log.warn({ err: error }, 'the download of the library output was cut'));
    },
    async shutdown() {
      stopping = true;
      await Promise.all([...jobs.values()].map((job) => cancel(job, 'the worker is shutting down')));
    },
    killAll() {
      for (const job of jobs.values()) if (job.pgid !== null) killProcessGroup(job.pgid, 'SIGKILL');
    },
  };
}
