/**
 * `plexbeam demo`, start to end: a temp folder with a generated clip, a loopback worker, a
 * stand-in Plex folder with the cartridge installed, and one Plex-shaped HLS transcode through
 * the shim; then everything it started is stopped and the folder removed, whatever happened.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appRoot } from '../../core/cartridge-paths.ts';
import { isPlexBeamError, PlexBeamError } from '../../core/errors.ts';
import type { Child } from './child.ts';
import { CLIP_HEIGHT, CLIP_SECONDS, makeClip } from './clip.ts';
import { confinementFallback } from './confinement.ts';
import { buildPlexHlsArgv } from './plex-argv.ts';
import { installStandInPlex } from './stand-in-plex.ts';
import { requireFfmpeg } from './tools.ts';
import { runPlexTranscode, type TranscodeResult } from './transcode.ts';
import { startLoopbackWorker, type LoopbackWorker } from './worker-process.ts';
import { videoEncoderIn } from './worker-encoder.ts';

/** The worker's label in the cartridge's config. */
export const DEMO_WORKER_NAME = 'loopback';

export interface DemoResult {
  ok: boolean;
  error: string | null;
  /** The temp folder (gone once the demo returns). */
  tempDir: string;
  worker: { name: string; url: string; pid: number; hwaccel: string; encoders: string[]; confinement: string | null } | null;
  /** The video encoder that wrote the segments. */
  encoder: string | null;
  transcode: TranscodeResult | null;
  /** Lines said on the way (e.g. a confinement fallback). */
  notes: string[];
  /** Every process the demo started, all stopped before it returns. */
  pids: number[];
  /** True when the temp folder was removed. */
  cleanedUp: boolean;
}

export interface DemoOptions {
  env: NodeJS.ProcessEnv;
  /** Each step as it begins, for the human-readable output. */
  onStep?: (text: string) => void;
}

/** A running demo: its result, and `cancel()` for a Ctrl-C (stops whatever runs; cleanup follows). */
export interface DemoRun {
  result: Promise<DemoResult>;
  cancel(reason: string): void;
}

/** Starts the demo. */
export function startDemo(options: DemoOptions): DemoRun {
  const children: Child[] = [];
  let cancelled: string | null = null;
  const track = (child: Child) => {
    children.push(child);
    if (cancelled !== null) void child.stop();
  };
  const result = runDemo(options, track, () => cancelled);
  return {
    result,
    cancel(reason) {
      cancelled ??= reason;
      for (const child of children) void child.stop();
    },
  };
}

async function runDemo(options: DemoOptions, track: (child: Child) => void, cancelled: () => string | null): Promise<DemoResult> {
  const step = options.onStep ?? (() => undefined);
  const tempDir = realpathSync(mkdtempSync(join(tmpdir(), 'plexbeam-demo-')));
  const result: DemoResult = { ok: false, error: null, tempDir, worker: null, encoder: null, transcode: null, notes: [], pids: [], cleanedUp: false };
  const children: Child[] = [];
  const keep = (child: Child) => {
    children.push(child);
    result.pids.push(child.pid);
    track(child);
  };
  let worker: LoopbackWorker | undefined;
  try {
    const path = options.env.PATH || '/usr/local/bin:/usr/bin:/bin';
    const { ffmpeg, ffprobe } = requireFfmpeg(path);
    const node = process.execPath;
    const cliMain = join(appRoot(), 'dist', 'cli', 'main.js');
    if (!existsSync(join(appRoot(), 'dist', 'cartridge', 'main.js'))) {
      throw new PlexBeamError('DEMO_FAILED', `PlexBeam is not built (${join(appRoot(), 'dist')} is missing the cartridge): run ./setup.sh or npm run build`);
    }
    const env = { PATH: path, LANG: options.env.LANG ?? 'C.UTF-8' };
    const media = join(tempDir, 'media', 'Movies', 'PlexBeam Demo (2026)');
    const sessions = join(tempDir, 'transcode', 'Transcode', 'Sessions');
    mkdirSync(media, { recursive: true });
    mkdirSync(sessions, { recursive: true });
    const apiKey = randomBytes(18).toString('base64url');

    step(`making a ${CLIP_SECONDS} s ${CLIP_HEIGHT}p H.264 + AAC clip (ffmpeg lavfi) and starting a loopback worker`);
    const workerOptions = { node, cliMain, dir: tempDir, apiKey, mediaRoots: [join(tempDir, 'media')], transcodeRoots: [join(tempDir, 'transcode')], env, onChild: keep };
    const [clip, started] = await Promise.all([
      makeClip({ ffmpeg, path: join(media, 'PlexBeam Demo (2026).mkv'), seconds: CLIP_SECONDS, height: CLIP_HEIGHT, env, onChild: keep }),
      startWorkerWithFallback(workerOptions, result.notes, step),
    ]);
    worker = started;
    result.worker = { name: DEMO_WORKER_NAME, url: worker.url, pid: worker.child.pid, hwaccel: worker.hwaccel, encoders: worker.encoders, confinement: worker.confinement };
    interrupted(cancelled);

    const config = join(tempDir, 'plexbeam.json');
    writeFileSync(config, JSON.stringify({
      plexDir: join(tempDir, 'plex'), dataDir: join(tempDir, 'data'), logDir: join(tempDir, 'log'), logLevel: 'warn',
      workers: [{ url: worker.url, apiKey, name: DEMO_WORKER_NAME }], healthTimeoutMs: 2000, fallbackToLocal: false,
    }, null, 2), { mode: 0o600 });
    step('installing the cartridge into a stand-in Plex folder (plexbeam cartridge install)');
    const plex = await installStandInPlex({ dir: join(tempDir, 'plex'), ffmpeg, node, cliMain, config, env, onChild: keep });
    interrupted(cancelled);

    const session = { key: randomUUID(), id: randomUUID() };
    const cwd = join(sessions, `plex-transcode-${session.key}-${session.id}`);
    mkdirSync(cwd);
    step('running a Plex-shaped HLS transcode through the shim');
    result.transcode = await runPlexTranscode({
      program: plex.transcoder,
      argv: (plexUrl) => buildPlexHlsArgv({ input: clip.path, plexUrl, session, height: CLIP_HEIGHT }),
      env: { ...env, X_PLEX_TOKEN: `demo-${randomBytes(6).toString('hex')}`, PLEXBEAM_CONFIG: config },
      cwd,
      clipSeconds: clip.seconds,
      ffprobe,
      onChild: keep,
    });
    interrupted(cancelled);
    const jobStarted = worker.logs.find((line) => line.msg === 'job started');
    result.encoder = result.transcode.probe?.encoder ?? videoEncoderIn(jobStarted?.argv) ?? null;
    if (result.transcode.ok && jobStarted === undefined) {
      throw new PlexBeamError('DEMO_FAILED', 'the transcode finished but the worker never ran it');
    }
    result.ok = result.transcode.ok;
    result.error = result.transcode.error;
  } catch (error) {
    result.ok = false;
    result.error = cancelled() ?? (isPlexBeamError(error) ? error.message : `unexpected error: ${(error as Error)?.stack ?? String(error)}`);
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    rmSync(tempDir, { recursive: true, force: true, maxRetries: 3 });
    result.cleanedUp = !existsSync(tempDir);
  }
  return result;
}

/** Starts the worker; where its kernel confinement cannot work here, once more without it, saying so. */
async function startWorkerWithFallback(options: Parameters<typeof startLoopbackWorker>[0], notes: string[], step: (text: string) => void): Promise<LoopbackWorker> {
  try {
    return await startLoopbackWorker(options);
  } catch (error) {
    const fallback = confinementFallback(error);
    if (fallback === null) throw error;
    notes.push(fallback.note);
    step(fallback.note);
    return startLoopbackWorker({ ...options, extra: { ...options.extra, ...fallback.worker } });
  }
}

function interrupted(cancelled: () => string | null): void {
  const reason = cancelled();
  if (reason !== null) throw new PlexBeamError('DEMO_FAILED', reason);
}
