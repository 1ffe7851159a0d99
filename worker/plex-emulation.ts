/**
 * What Plex's transcoder does besides encoding, run beside stock ffmpeg: the publishers that
 * expose segments and deliver the segment list or DASH manifest, the `-progressurl` requests,
 * and the canThrottle duty cycle. docs/TRANSLATION.md describes each piece.
 */
import type { Logger } from '../core/log.ts';
import type { InputFacts } from './input-probe.ts';
import { createPlexProgressReporter, createProgressSplitter, createThrottle, type ProgressFields, type Throttle } from './plex-progress/index.ts';
import type { Translation } from './translate/index.ts';
import { applyPostProcess, type RequestFn } from './translate/post/index.ts';

/** One job's translation, inputs and capture-server sender. */
export interface PlexEmulationOptions {
  translation: Translation;
  /** The job's worker-side working directory. */
  cwd: string;
  /** ffprobe facts of each input (undefined where probing failed). */
  inputs: readonly (InputFacts | undefined)[];
  /** Sends to the job's capture server (callbacks/capture-request.ts). */
  request: RequestFn;
  /** The job's signal: cancelling stops publishing and removes the staging folders. */
  signal: AbortSignal;
  log: Logger;
  /** Publishers' poll interval in ms (default 50; a watched staging folder is published from at once). */
  intervalMs?: number;
  /** A segment boundary while ffmpeg runs (translate/post's `onSegment`): segment `number` is published and listed to Plex. */
  onSegment?(number: number): void;
}

/** The running emulation: the runner feeds it ffmpeg's pid and progress, then finishes it. */
export interface PlexEmulation {
  /** ffmpeg runs: slow it down whenever Plex answers with canThrottle. */
  spawned(pid: number): void;
  /** ffmpeg's raw `-progress` output. */
  progress(text: string): void;
  /** ffmpeg is gone: publish the rest, then report the end; resolves with what went wrong on the way. */
  finish(): Promise<string[]>;
  /** Plex's number of the last segment or chunk published, or null (none yet, or no segmented output). */
  segment(): number | null;
}

const serialize = (fields: ProgressFields): string => [...fields].map(([key, value]) => `${key}=${value}\n`).join('');

/** Starts the publishers (they create the staging folders ffmpeg writes into) and Plex's opening requests. */
export function startPlexEmulation(options: PlexEmulationOptions): PlexEmulation {
  const { translation: tr, signal, log } = options;
  const publishers = tr.postProcess.map((desc) =>
    applyPostProcess(desc, {
      cwd: options.cwd, signal, request: options.request,
      ...(options.intervalMs ? { intervalMs: options.intervalMs } : {}), ...(options.onSegment ? { onSegment: options.onSegment } : {}),
    }));
  const reporter = tr.progressUrl === null ? null : createPlexProgressReporter({
    progressUrl: tr.progressUrl,
    request: options.request,
    inputs: options.inputs.map((input) => ({ streams: input?.streams ?? [] })),
    duration: options.inputs[0]?.duration ?? 0,
    positionOffset: tr.progressOffset,
    endAt: tr.durationLimit === null ? null : tr.seekOffset + tr.durationLimit,
  });
  // Queued at once, in order; ffmpeg need not wait for Plex's answers.
  void reporter?.start();
  let frames = 0;
  let heldEnd: string | null = null;
  let throttle: Throttle | undefined;
  let throttled = false;
  // The last block (`progress=end`) waits until the publishers are done: Plex hears "100 %" after the last segment.
  const split = createProgressSplitter((fields) => {
    frames = Number(fields.get('frame')) || frames;
    if (fields.get('progress') === 'end') heldEnd = serialize(fields);
    else reporter?.push(serialize(fields));
  });
  const isThrottled = (): boolean => {
    const now = reporter?.throttled ?? false;
    if (now !== throttled) log.info({ throttled: now }, now ? 'Plex asked to throttle: pausing ffmpeg 100 ms per frame' : 'Plex lifted the throttle');
    throttled = now;
    return now;
  };

  return {
    spawned(pid) {
      if (reporter === null) return;
      throttle = createThrottle({ pid, frames: () => frames, throttled: isThrottled });
      // A paused ffmpeg would only act on the runner's SIGTERM once resumed.
      signal.addEventListener('abort', () => throttle?.stop(), { once: true });
    },
    progress: split,
    async finish() {
      throttle?.stop();
      const reports = await Promise.all(publishers.map((publisher) => publisher.finish()));
      if (!signal.aborted && reporter !== null) {
        if (heldEnd !== null) reporter.push(heldEnd);
        await reporter.finish();
      }
      return reports.flatMap((report) => report.warnings);
    },
    segment: () => publishers.map((publisher) => publisher.segment()).find((number) => number !== null) ?? null,
  };
}
