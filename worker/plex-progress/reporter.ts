// Emulates Plex's `-progressurl` channel from ffmpeg's `-progress` output (PLEX-PRIVATE-FLAGS §1.1).
import type { RequestFn } from '../translate/post/http-request.ts';
import { createProgressSplitter, outTimeSeconds, speedOf, type ProgressFields } from './progress-blocks.ts';
import { streamDetailQuery, streamQuery, type ReportedStream } from './stream-report.ts';

/** What the reporter needs to know about the job. */
export interface ReporterOptions {
  /** Plex's `-progressurl` (already re-homed to where the worker can reach it). */
  progressUrl: string;
  request: RequestFn;
  /** ffprobe streams of each input, in `-i` order. */
  inputs: readonly { streams: readonly ReportedStream[] }[];
  /** Source duration in seconds (ffprobe format duration of the first input). */
  duration: number;
  /** Seconds to add to ffmpeg's out_time for the source position (the seek when not -copyts). */
  positionOffset?: number;
  /** Where the job ends on the source timeline when `-t` cuts it short. */
  endAt?: number | null;
  /** Least time between progress reports (default 1000 ms; the last one always goes). */
  minIntervalMs?: number;
  now?: () => number;
}

/** A running reporter. */
export interface PlexProgressReporter {
  /** Sends Plex's opening requests: status, duration, each stream and its details. */
  start(): Promise<void>;
  /** Feeds raw ffmpeg `-progress` text. */
  push(chunk: string): void;
  /** Sends the final report and waits for every request to finish. */
  finish(): Promise<void>;
  /** True while Plex's last answer contained `canThrottle`. */
  readonly throttled: boolean;
}

const f1 = (n: number): string => n.toFixed(1);

/** Creates the reporter; requests go out one at a time, in order. */
export function createPlexProgressReporter(opts: ReporterOptions): PlexProgressReporter {
  const now = opts.now ?? Date.now;
  const base = opts.progressUrl;
  const sep = base.includes('?') ? '&' : '?';
  const end = Math.min(opts.duration, opts.endAt ?? Infinity);
  let queue: Promise<void> = Promise.resolve();
  let throttled = false;
  let lastSent = -Infinity;
  let lastFields: ProgressFields | null = null;

  const send = (url: string, watchThrottle = false): void => {
    queue = queue.then(async () => {
      try {
        const res = await opts.request('PUT', url);
        // Plex's fork sleeps per frame while PMS's answer says canThrottle; speed is then withheld.
        if (watchThrottle) throttled = res.body.includes('canThrottle');
      } catch { /* PMS unreachable: Plex's transcoder keeps transcoding too */ }
    });
  };
  const withPath = (path: string, query: string): string => {
    const [head, tail] = base.split('?');
    return `${head}${path}?${query}${tail ? `&${tail}` : ''}`;
  };
  const report = (fields: ProgressFields): void => {
    const position = (outTimeSeconds(fields) ?? 0) + (opts.positionOffset ?? 0);
    const speed = speedOf(fields);
    const pct = end > 0 ? Math.min(100, Math.max(0, (position / end) * 100)) : 0;
    const remaining = Math.max(0, Math.round((end - position) / (speed && speed > 0 ? speed : 1)));
    const size = Number(fields.get('total_size') ?? 0) || 0;
    let query = `progress=${f1(fields.get('progress') === 'end' ? 100 : pct)}&size=${size}&remaining=${remaining}`;
    if (!throttled && speed !== null) query += `&speed=${f1(speed)}`;
    send(`${base}${sep}${query}`, true);
    lastSent = now();
  };
  const split = createProgressSplitter((fields) => {
    lastFields = fields;
    if (fields.get('progress') === 'end' || now() - lastSent >= (opts.minIntervalMs ?? 1000)) report(fields);
  });

  return {
    async start() {
      send(`${base}${sep}status=startup`);
      send(`${base}${sep}duration=${opts.duration.toFixed(3)}`);
      opts.inputs.forEach((input, file) => {
        for (const s of input.streams.filter((x) => x.codec_type === 'video' || x.codec_type === 'audio')) {
          send(withPath('/stream', streamQuery(s, file)));
          send(withPath('/streamDetail', streamDetailQuery(s, file)));
        }
      });
      await queue;
    },
    push: split,
    async finish() {
      const last = lastFields as ProgressFields | null;
      if (last !== null && last.get('progress') !== 'end') report(last);
      await queue;
    },
    get throttled() { return throttled; },
  };
}
