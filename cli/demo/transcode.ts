/**
 * One Plex-shaped HLS transcode through the cartridge, measured as Plex would feel it: a stand-in
 * Plex takes the callbacks, the cartridge (the installed shim, or its entry point) runs the argv
 * in the session folder, and afterwards the segments are counted and one is read back.
 */
import { startCallbackServer, type CallbackCounts } from './callback-server.ts';
import { startChild, type Child } from './child.ts';
import { listSegments, probeSegment, type SegmentProbe } from './segments.ts';

export interface TranscodeOptions {
  /** What to execute: the shim, or Node with the cartridge's entry point first in `args`. */
  program: string;
  args?: readonly string[];
  /** Builds Plex's argv once the stand-in Plex listens at `plexUrl`. */
  argv: (plexUrl: string) => string[];
  /** The environment Plex would give its transcoder (PLEXBEAM_CONFIG names the cartridge's config). */
  env: Record<string, string>;
  /** The session folder: the transcode's working directory, where the segments land. */
  cwd: string;
  /** The clip's length, for the speed. */
  clipSeconds: number;
  ffprobe: string;
  /** A transcode still running after this long is stopped (default 120 s). */
  timeoutMs?: number;
  /** Told about the transcoder child, so a Ctrl-C can stop it. */
  onChild?: (child: Child) => void;
}

export interface TranscodeResult {
  ok: boolean;
  /** Why it failed (the cartridge's own words when it said any); null when ok. */
  error: string | null;
  exit: { code: number | null; signal: NodeJS.Signals | null };
  wallMs: number;
  /** From the start to the first segment list naming a segment, as Plex learns of it. */
  firstSegmentMs: number | null;
  segments: string[];
  /** The first segment read back, or null when there is none. */
  probe: SegmentProbe | null;
  callbacks: CallbackCounts;
  /** Clip seconds per wall-clock second, start to exit. */
  speed: number;
}

/** Runs the transcode to its end and reports what happened. */
export async function runPlexTranscode(options: TranscodeOptions): Promise<TranscodeResult> {
  const plex = await startCallbackServer();
  let child: Child | undefined;
  try {
    const startedAt = Date.now();
    child = startChild(options.program, [...(options.args ?? []), ...options.argv(plex.url)], { env: options.env, cwd: options.cwd });
    options.onChild?.(child);
    const running = child;
    const timer = setTimeout(() => void running.stop(), options.timeoutMs ?? 120_000);
    const exit = await child.exited;
    clearTimeout(timer);
    const wallMs = Date.now() - startedAt;
    const segments = listSegments(options.cwd);
    const probe = segments[0] === undefined ? null : await probeSegment(options.ffprobe, options.cwd, segments[0], options.env);
    const callbacks = { ...plex.counts };
    const error = failure(exit, child.stderr(), segments, probe, callbacks, wallMs >= (options.timeoutMs ?? 120_000));
    return {
      ok: error === null,
      error,
      exit,
      wallMs,
      firstSegmentMs: plex.firstSegmentListedAt === null ? null : plex.firstSegmentListedAt - startedAt,
      segments,
      probe,
      callbacks,
      speed: options.clipSeconds / Math.max(wallMs / 1000, 0.001),
    };
  } finally {
    await child?.stop();
    await plex.close();
  }
}

function failure(exit: TranscodeResult['exit'], stderr: string, segments: string[], probe: SegmentProbe | null, callbacks: CallbackCounts, timedOut: boolean): string | null {
  if (timedOut) return 'the transcode did not finish in time and was stopped';
  if (exit.code !== 0) {
    const said = stderr.split('\n').filter((line) => line.startsWith('plexbeam:')).join(' ') || stderr.trim().split('\n').slice(-2).join(' ');
    return `the transcoder exited ${exit.code ?? exit.signal}${said === '' ? '' : `: ${said}`}`;
  }
  if (segments.length === 0) return 'it exited 0 but wrote no segment';
  if (probe !== null && !probe.ok) return `${probe.name} does not read back: ${probe.error}`;
  if (callbacks.segmentList === 0) return 'no segment list reached Plex';
  return null;
}
