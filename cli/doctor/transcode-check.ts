/**
 * `plexbeam doctor --transcode`: the demo's transcode, once per configured worker, through the
 * cartridge's own dispatch. Honest about storage: a remote worker cannot see this machine's temp
 * folder, so the clip and the session folder go where Plex's own transcodes go (Plex's transcode
 * folder, or `--transcode-dir`), which every worker must see through its `pathMap`, inside its
 * `transcodeRoots`; the cartridge sends Plex-side paths exactly as it does for Plex.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appRoot } from '../../core/cartridge-paths.ts';
import type { Config, WorkerEntry } from '../../core/config.ts';
import { CLIP_HEIGHT, CLIP_SECONDS, makeClip } from '../demo/clip.ts';
import { formatSpeed } from '../demo/format.ts';
import { buildPlexHlsArgv } from '../demo/plex-argv.ts';
import { requireFfmpeg } from '../demo/tools.ts';
import { runPlexTranscode, type TranscodeResult } from '../demo/transcode.ts';
import { fail, pass, type Check } from './check.ts';
import { workerLabel } from './worker-checks.ts';

export interface TranscodeCheckOptions {
  config: Config;
  /** The Plex-side folder for the clip and the session folder, or null when none was found. */
  dir: string | null;
  /** Where `dir` came from, for messages (e.g. `--transcode-dir`). */
  dirSource: string;
  env: NodeJS.ProcessEnv;
  /** The cartridge's entry point (default: this install's dist/cartridge/main.js). */
  cartridgeMain?: string;
}

/** One check per worker: `worker.<name>.transcode`, or one `transcode` check saying what is missing. */
export async function checkTranscodes(options: TranscodeCheckOptions): Promise<Check[]> {
  const { config } = options;
  if (config.workers.length === 0) return [];
  const path = options.env.PATH || '/usr/local/bin:/usr/bin:/bin';
  let tools;
  try {
    tools = requireFfmpeg(path);
  } catch (error) {
    return [fail('transcode', (error as Error).message, 'apt-get install -y ffmpeg on this (the Plex) machine')];
  }
  const cartridgeMain = options.cartridgeMain ?? join(appRoot(), 'dist', 'cartridge', 'main.js');
  if (!existsSync(cartridgeMain)) return [fail('transcode', `${cartridgeMain} does not exist`, 'build PlexBeam (./setup.sh or npm run build)')];
  const dir = options.dir;
  if (dir === null || !existsSync(dir)) {
    const what = dir === null ? "no Plex transcode folder found (Plex's Preferences.xml was not readable, or the folder does not exist)" : `${dir} (${options.dirSource}) does not exist`;
    return [fail('transcode', what, 'pass --transcode-dir DIR: a folder on this machine that every worker sees through its worker.pathMap, inside its transcodeRoots')];
  }
  let work: string;
  try {
    work = mkdtempSync(join(dir, 'plexbeam-doctor-'));
    shareLikeParent(work, dir);
  } catch (error) {
    return [fail('transcode', `cannot write in ${dir} (${options.dirSource}): ${(error as Error).message}`, 'run it as root: sudo plexbeam doctor --transcode')];
  }
  const configs = mkdtempSync(join(tmpdir(), 'plexbeam-doctor-'));
  try {
    const env = { PATH: path, LANG: options.env.LANG ?? 'C.UTF-8' };
    let clip;
    try {
      // As in Plex's own folder: sessions in `Sessions/`, anything else beside it (a worker's
      // confinement hides the session folders of other jobs, so the clip must not be among them).
      for (const name of ['clip', 'Sessions']) {
        mkdirSync(join(work, name));
        shareLikeParent(join(work, name), dir);
      }
      clip = await makeClip({ ffmpeg: tools.ffmpeg, path: join(work, 'clip', 'plexbeam-doctor-clip.mkv'), seconds: CLIP_SECONDS, height: CLIP_HEIGHT, env });
    } catch (error) {
      return [fail('transcode', (error as Error).message, 'check that ffmpeg has libx264 and lavfi (ffmpeg -encoders; ffmpeg -filters)')];
    }
    const checks: Check[] = [];
    // One at a time: each worker's speed is its own.
    for (const [index, entry] of config.workers.entries()) {
      checks.push(await checkOne({ entry, index, config, dir, work, configs, clip, env, cartridgeMain, ffprobe: tools.ffprobe }));
    }
    return checks;
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(configs, { recursive: true, force: true });
  }
}

interface OneRun {
  entry: WorkerEntry;
  index: number;
  config: Config;
  /** The Plex-side folder (`work` is a fresh folder in it). */
  dir: string;
  work: string;
  configs: string;
  clip: { path: string; seconds: number };
  env: Record<string, string>;
  cartridgeMain: string;
  ffprobe: string;
}

async function checkOne(run: OneRun): Promise<Check> {
  const label = workerLabel(run.entry);
  const name = `worker.${label}.transcode`;
  const configPath = join(run.configs, `worker-${run.index}.json`);
  // Only this worker, no local fallback: a job it cannot take fails here and says why. The
  // session log of these runs stays out of the real one.
  writeFileSync(configPath, JSON.stringify({
    plexDir: run.config.plexDir, dataDir: join(run.configs, 'data'), logLevel: 'warn',
    workers: [run.entry], healthTimeoutMs: Math.max(run.config.healthTimeoutMs, 2000), fallbackToLocal: false,
  }), { mode: 0o600 });
  const session = { key: randomUUID(), id: randomUUID() };
  const cwd = join(run.work, 'Sessions', `plex-transcode-${session.key}-${session.id}`);
  mkdirSync(cwd);
  shareLikeParent(cwd, run.dir);
  let result: TranscodeResult;
  try {
    result = await runPlexTranscode({
      program: process.execPath,
      args: [run.cartridgeMain],
      argv: (plexUrl) => buildPlexHlsArgv({ input: run.clip.path, plexUrl, session, height: CLIP_HEIGHT }),
      env: { ...run.env, X_PLEX_TOKEN: 'plexbeam-doctor', PLEXBEAM_CONFIG: configPath },
      cwd,
      clipSeconds: run.clip.seconds,
      ffprobe: run.ffprobe,
    });
  } catch (error) {
    return fail(name, `the test transcode could not run: ${(error as Error).message}`, 'see the message');
  }
  if (!result.ok) {
    return fail(name, `a ${run.clip.seconds} s 720p HLS transcode through the cartridge failed: ${result.error}`,
      `the worker must read and write ${run.dir} through worker.pathMap, inside its transcodeRoots (see worker.${label}.paths); its log (journalctl -u plexbeam-worker) says more`);
  }
  const c = result.callbacks;
  return pass(name, [
    `${run.clip.seconds} s 720p HLS through the cartridge: encoder ${result.probe?.encoder ?? 'unknown'}`,
    `first segment in ${result.firstSegmentMs ?? '?'} ms`,
    `${result.segments.length} segments (${result.probe?.name} reads back)`,
    `${c.progress + c.segmentList + c.other} callbacks relayed`,
    `${formatSpeed(result.speed)} realtime`,
  ].join(', '));
}

/**
 * Gives a folder doctor made the owner and mode of Plex's folder it sits in: doctor runs as root,
 * the worker writes there as its own user (over NFS, as `plex` or a shared group), so a folder
 * only root may write would fail the check for a reason Plex's own sessions never meet.
 */
function shareLikeParent(path: string, parent: string): void {
  const stat = statSync(parent);
  chmodSync(path, stat.mode & 0o7777);
  if (process.getuid?.() === 0) chownSync(path, stat.uid, stat.gid);
}
