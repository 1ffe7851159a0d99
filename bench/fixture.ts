/**
 * What the benchmark rows share: a temporary root, the 1080p test clip, a fake Plex Media Server,
 * a Plex folder with the cartridge installed by `installCartridge` (as `plexbeam cartridge install`
 * does) over a stand-in whose start is visible, configs, and one real worker started on demand.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { installCartridge } from '../core/cartridge-install.ts';
import { cartridgePaths } from '../core/cartridge-paths.ts';
import { ensureTestMedia, startFakePms, type FakePms } from '../test/harness/index.ts';
import { startWorkerProcess, type WorkerProcess } from './worker-process.ts';

/** What the stand-in `Plex Transcoder.real` prints first thing on stderr: the moment it started. */
export const REAL_STARTED = 'plexbeam-bench: real transcoder started';

/** The shared environment; `close()` removes everything it made. */
export interface Fixture {
  root: string;
  /** The 1080p H.264 10 s test clip (harness `h264Fhd`). */
  clip: string;
  pms: FakePms;
  /** The installed shim (`<plex>/Plex Transcoder`) and Plex's binary beside it. */
  shim: string;
  real: string;
  /** A fresh, empty folder under the worker's transcode root. */
  sessionDir(name: string): string;
  /** Writes a cartridge config (dataDir and plexDir in the root) and returns its path. */
  config(name: string, settings: Record<string, unknown>): string;
  /** The environment Plex gives its transcoder, pointing the cartridge at `configPath`. */
  plexEnv(configPath: string): Record<string, string>;
  /** The real worker (started on first use) and a cartridge config that uses it. */
  worker(): Promise<{ worker: WorkerProcess; config: string }>;
  /** A folder inside the worker's media root, for media the benchmarks make. */
  mediaDir: string;
  close(): Promise<void>;
}

/** PATH with this Node first: the stand-ins run `node`, which must be the runtime measured. */
export const NODE_PATH = `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`;

/** Builds the fixture (the test media are generated once per machine, ~25 CPU-seconds the first time). */
export async function createFixture(): Promise<Fixture> {
  // Real path: the worker logs resolved paths, and the baselines are found by them.
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'plexbeam-bench-')));
  const media = await ensureTestMedia();
  const plexDir = join(root, 'plex');
  const tx = join(root, 'tx');
  const mediaDir = join(root, 'media');
  for (const dir of [plexDir, tx, mediaDir, join(root, 'data')]) mkdirSync(dir, { recursive: true });
  const paths = cartridgePaths(plexDir);
  // Plex's binary stand-in: a shell script (no runtime to start) that says when it began.
  writeFileSync(paths.transcoder, `#!/bin/sh\necho '${REAL_STARTED}' >&2\nexit 0\n`, { mode: 0o755 });
  await installCartridge({ plexDir });
  const pms = await startFakePms();
  let sessions = 0;
  let worker: Promise<{ worker: WorkerProcess; config: string }> | undefined;

  const config = (name: string, settings: Record<string, unknown>) => {
    const path = join(root, `cartridge-${name}.json`);
    writeFileSync(path, JSON.stringify({ dataDir: join(root, 'data'), plexDir, logLevel: 'warn', ...settings }));
    return path;
  };
  return {
    root,
    clip: media.files.h264Fhd.path,
    pms,
    shim: paths.transcoder,
    real: paths.real,
    mediaDir,
    sessionDir(name) {
      sessions += 1;
      const dir = join(tx, `${name}-${sessions}`);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    config,
    plexEnv: (configPath) => ({
      PATH: NODE_PATH,
      LANG: 'en_US.UTF-8',
      X_PLEX_TOKEN: 'bench-plex-token',
      PLEX_MEDIA_SERVER_HOME: plexDir,
      PLEXBEAM_CONFIG: configPath,
    }),
    worker() {
      worker ??= (async () => {
        const started = await startWorkerProcess(root, { mediaRoots: [media.dir, mediaDir], transcodeRoots: [tx], maxJobs: 4 });
        return { worker: started, config: config('remote', { workers: [{ url: started.url, apiKey: started.apiKey, name: 'bench-worker' }] }) };
      })();
      return worker;
    },
    async close() {
      if (worker !== undefined) await (await worker).worker.stop();
      await pms.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
