/** One transcode job: its state as SPEC names it, progress, outcome, and its link to the cartridge. */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ErrorCode } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { JobLink } from './callbacks/link.ts';
import type { LinkStore } from './callbacks/link-store.ts';
import { createReplyBox, type ReplyBox } from './callbacks/replies.ts';
import type { JobStream } from './stream/job-stream.ts';

/** How often a link pings while it has nothing else to say: the cartridge counts a link silent for 2.5 pings as a lost worker (within 3 s). */
export const LINK_PING_MS = 1000;

/** `handed-back`: stopped at a segment boundary while the worker drains (WORKER_DRAINING); `segment` names the last one published. */
export type JobState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'handed-back';

export interface JobProgress {
  out_time_s: number | null;
  speed: number | null;
  fps: number | null;
}

export interface Job {
  readonly id: string;
  readonly sessionId: string;
  state: JobState;
  progress: JobProgress;
  exitCode: number | null;
  exitSignal: string | null;
  error: string | null;
  errorCode: ErrorCode | null;
  /** Plex's number of the last segment (HLS) or chunk (DASH) published; null before the first and for other outputs. */
  segment: number | null;
  /** True once the translation shows a segmented output (HLS segments, DASH), which a drain hands back. */
  segmented: boolean;
  readonly createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  /** ffmpeg's pid, which is also its process group's id, while it runs. */
  pid: number | null;
  /** Aborted to cancel; its reason (a PlexBeamError) says why. */
  readonly controller: AbortController;
  /** Secret path segment of this job's callback URLs. */
  readonly callbackToken: string;
  readonly origins: readonly string[];
  readonly link: JobLink;
  /** Plex's answers to this job's callbacks, relayed by the cartridge. */
  readonly replies: ReplyBox;
  readonly log: Logger;
  /** Settles when ffmpeg is gone and the outcome recorded. */
  done: Promise<void>;
  nextCallbackSeq(): number;
  /** Callback requests still receiving their body. */
  openCallbacks: number;
  /** Stream mode (worker/stream): the job's inputs and outputs go over the cartridge's connection. */
  stream?: JobStream;
}

export interface NewJobOptions {
  sessionId: string;
  /** Plex origins of the job's rewritten callback URLs, by index. */
  origins: readonly string[];
  log: Logger;
  linkGraceMs: number;
  /** Where the job's link keeps its messages (one bound for all jobs). */
  links: LinkStore;
  onLinkLost(job: Job): void;
}

/** The job's id and callback token, drawn before the job exists (its argv needs them). */
export function newJobIdentity(): { id: string; callbackToken: string } {
  return { id: randomUUID(), callbackToken: randomBytes(18).toString('base64url') };
}

/** Creates a queued job. */
export function createJob(identity: { id: string; callbackToken: string }, options: NewJobOptions): Job {
  let seq = 0;
  const log = options.log.child({ job_id: identity.id, session_id: options.sessionId });
  const job: Job = {
    ...identity,
    sessionId: options.sessionId,
    state: 'queued',
    progress: { out_time_s: null, speed: null, fps: null },
    exitCode: null,
    exitSignal: null,
    error: null,
    errorCode: null,
    segment: null,
    segmented: false,
    createdAt: Date.now(),
    startedAt: null,
    endedAt: null,
    pid: null,
    controller: new AbortController(),
    origins: options.origins,
    link: options.links.create({
      graceMs: options.linkGraceMs,
      retainBytes: 8 << 20,
      maxBufferedBytes: 32 << 20,
      pingMs: LINK_PING_MS,
      hello: () => ({ type: 'hello', protocol: 1, ping_ms: LINK_PING_MS, job_id: identity.id, session_id: options.sessionId, state: job.state }),
      onLost: () => options.onLinkLost(job),
    }),
    replies: createReplyBox(),
    log,
    done: Promise.resolve(),
    nextCallbackSeq: () => (seq += 1),
    openCallbacks: 0,
  };
  return job;
}

/** True while ffmpeg may still be running. */
export const isActive = (job: Job): boolean => job.state === 'queued' || job.state === 'running';

/** The `GET /status/:job_id` body. */
export function jobStatus(job: Job): Record<string, unknown> {
  return {
    job_id: job.id,
    session_id: job.sessionId,
    state: job.state,
    progress: job.progress,
    exit_code: job.exitCode,
    signal: job.exitSignal,
    error: job.error,
    error_code: job.errorCode,
    segment: job.segment,
    created_at: new Date(job.createdAt).toISOString(),
    started_at: job.startedAt === null ? null : new Date(job.startedAt).toISOString(),
    ended_at: job.endedAt === null ? null : new Date(job.endedAt).toISOString(),
  };
}
