// applyPostProcess: runs one post-processing descriptor alongside ffmpeg, then finishes it.
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { posix, resolve } from 'node:path';
import type { PostProcessDesc } from '../types.ts';
import { createDashPublisher } from './dash-publisher.ts';
import { fetchRequest, type RequestFn } from './http-request.ts';
import { startPoller } from './poller.ts';
import { createSegmentPublisher, type PublishReport } from './segment-publisher.ts';

export type { RequestFn } from './http-request.ts';
export type { PublishReport } from './segment-publisher.ts';

/** Where and how post-processing runs. */
export interface ApplyOptions {
  /** The job's working directory (relative names in the descriptor resolve against it). */
  cwd: string;
  /** Aborts watching (the job was cancelled): `finish()` then publishes nothing more and removes the staging folder. */
  signal: AbortSignal;
  /** HTTP sender for manifests and segment lists (default: fetch). */
  request?: RequestFn;
  /**
   * Poll interval in milliseconds (default 50: where the staging folder cannot be watched, a
   * finished segment waits at most this long before Plex hears of it; a readdir is cheap).
   */
  intervalMs?: number;
  /**
   * Called while ffmpeg runs, at each segment boundary: a pass published segment (HLS) or chunk
   * (DASH) `number`, Plex's numbering, and delivered the list or manifest naming it. Aborting
   * `signal` from here stops publishing before the next pass (a drain hands the job back).
   */
  onSegment?(number: number): void;
}

/** A running post-process: call `finish()` once ffmpeg has exited. */
export interface RunningPostProcess {
  finish(): Promise<PublishReport>;
  /** Plex's number of the last segment or chunk published (and listed to Plex), or null. */
  segment(): number | null;
}

/**
 * Starts a descriptor's publisher; it watches the staging folder until `finish()`.
 * Call it BEFORE spawning ffmpeg: it creates the staging folder ffmpeg writes into.
 */
export function applyPostProcess(desc: PostProcessDesc, opts: ApplyOptions): RunningPostProcess {
  mkdirSync(resolve(opts.cwd, desc.stageDir), { recursive: true });
  const request = opts.request ?? fetchRequest;
  const publisher = desc.kind === 'ssegment'
    ? createSegmentPublisher(desc, opts.cwd, request)
    : createDashPublisher(desc, opts.cwd, request);
  const step = async (): Promise<void> => {
    const before = publisher.segment();
    await publisher.sync();
    const after = publisher.segment();
    if (after !== null && after !== before && !opts.signal.aborted) opts.onSegment?.(after);
  };
  // What ffmpeg writes when a segment or chunk is finished: its CSV list (appended, or through a
  // `.tmp` rename), or the DASH manifest; a change to it runs a pass at once.
  const listName = posix.basename(desc.kind === 'ssegment' ? desc.localList : desc.manifestName);
  const wake = { dir: resolve(opts.cwd, desc.stageDir), matches: (name: string) => name.startsWith(listName) };
  const poller = startPoller(step, opts.intervalMs ?? 50, opts.signal,
    (e) => publisher.report.warnings.push(`post-process: ${(e as Error).message}`), wake);
  return {
    async finish() {
      await poller.finish();
      if (!opts.signal.aborted) return publisher.finish();
      await rm(resolve(opts.cwd, desc.stageDir), { recursive: true, force: true });
      return publisher.report;
    },
    segment: publisher.segment,
  };
}
