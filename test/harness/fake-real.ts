/** A stand-in Plex install for tests: `Plex Transcoder` (the recording stand-in) and `Plex Media Server`. */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fakeRealScript } from './repo-paths.ts';

/** The version the stand-in `Plex Media Server --version` reports unless told otherwise. */
export const FAKE_PLEX_VERSION = '1.41.3.9314-a0bfb8370';

/** One run of the stand-in, as it logged it, with the signals it logged afterwards. */
export interface FakeRealCall {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  pid: number;
  ppid: number;
  /** The script path it ran as (e.g. `…/Plex Transcoder.real`). */
  program: string;
  mode: string;
  time: string;
  /** Signals it received (sleep, ignore-term). */
  signals: string[];
  /** How the real ffmpeg ended (ffmpeg mode). */
  ffmpegExit?: { code: number | null; signal: string | null };
}

export interface FakePlexDir {
  dir: string;
  /** `<dir>/Plex Transcoder`: a copy of the stand-in, mode 0755. */
  transcoder: string;
  /** `<dir>/Plex Media Server`: prints `v<version>` for `--version`. */
  server: string;
  version: string;
}

/**
 * Creates a stand-in Plex install in `dir`. The transcoder copy ends with a comment naming
 * `build` (default: the version), so installs of different versions differ in md5, as updates do.
 */
export async function installFakePlexDir(dir: string, opts: { version?: string; build?: string } = {}): Promise<FakePlexDir> {
  const version = opts.version ?? FAKE_PLEX_VERSION;
  await mkdir(dir, { recursive: true });
  const transcoder = join(dir, 'Plex Transcoder');
  await writeFakeTranscoder(transcoder, opts.build ?? version);
  const server = join(dir, 'Plex Media Server');
  await writeFile(server, `#!/bin/sh\n# Stand-in for Plex Media Server (PlexBeam tests): answers --version only.\n`
    + `case "$1" in --version|-version) echo "v${version}"; exit 0 ;; esac\necho "Plex Media Server stand-in" >&2\nexit 0\n`);
  await chmod(server, 0o755);
  return { dir, transcoder, server, version };
}

/** Writes a copy of the stand-in transcoder at `path` (mode 0755), marked with `build`. */
export async function writeFakeTranscoder(path: string, build = FAKE_PLEX_VERSION): Promise<void> {
  const script = await readFile(fakeRealScript(), 'utf8');
  await writeFile(path, `${script}// build: ${build}\n`);
  await chmod(path, 0o755);
}

/** The runs logged to `logPath` (PLEXBEAM_FAKE_REAL_LOG) in order; [] when nothing ran. */
export async function readFakeRealCalls(logPath: string): Promise<FakeRealCall[]> {
  const text = await readFile(logPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const calls: FakeRealCall[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const entry = JSON.parse(line) as Partial<FakeRealCall> & { pid: number; signal?: string };
    if (entry.argv !== undefined) {
      calls.push({ ...(entry as FakeRealCall), signals: [] });
      continue;
    }
    const call = calls.findLast((c) => c.pid === entry.pid);
    if (call && entry.signal !== undefined) call.signals.push(entry.signal);
    if (call && entry.ffmpegExit !== undefined) call.ffmpegExit = entry.ffmpegExit;
  }
  return calls;
}
