/** Helpers for the library encode tests: the real worker and `plexbeam server`, the CLI, the job rows, checksums and ffprobe. */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Test } from 'tap';
import { followJsonLogs, type JsonLogFollower } from '../harness/json-log-process.ts';
import { API_KEY, BIN, spawnOwned } from '../cartridge/helpers.ts';
import { startRealWorker, type RealWorker } from '../cartridge/workers.ts';
import { makeClip } from './clips.ts';

export { API_KEY, BIN };

const bwrapWorks = spawnSync('bwrap', ['--unshare-all', '--ro-bind', '/', '/', 'true']).status === 0;

/** The real `plexbeam worker` on 127.0.0.1 with `media` as its only media root (confined by bubblewrap where it works). */
export function startLibraryWorker(dir: string, media: string, extra: Record<string, unknown> = {}): Promise<RealWorker> {
  return startRealWorker(dir, { mediaRoots: [media], transcodeRoots: [join(dir, 'tx')], confinement: bwrapWorks ? 'bubblewrap' : 'unconfined', ...extra });
}

/** Writes the Plex-side config (dataDir, the workers, a fast probe round) and returns its path. */
export function writeServerConfig(dir: string, workers: readonly { url: string; name: string; storage?: 'auto' | 'shared' | 'stream' }[]): string {
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({
    logLevel: 'info',
    dataDir: join(dir, 'data'),
    workers: workers.map((w) => ({ url: w.url, apiKey: API_KEY, name: w.name, ...(w.storage === undefined ? {} : { storage: w.storage }) })),
    server: { fleetFile: join(dir, 'run', 'fleet.json'), probeIntervalMs: 300, probeTimeoutMs: 1500, listen: '127.0.0.1:0' },
  }));
  return config;
}

export const cliEnv = (dir: string) => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir });

/** Runs `plexbeam library ARGS --config CONFIG` and waits for it. */
export function library(dir: string, config: string, ...args: string[]) {
  return spawnSync(BIN, ['library', ...args, '--config', config], { env: cliEnv(dir), encoding: 'utf8', timeout: 120_000 });
}

export interface ServerProcess extends JsonLogFollower {
  proc: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `plexbeam server` (the built CLI) with `env` added; resolves once its fleet monitor runs. */
export async function startServer(dir: string, config: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const proc = spawnOwned(BIN, ['server', '--config', config], { env: { ...cliEnv(dir), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const follower = followJsonLogs(proc, { timeoutMs: 60_000 });
  await follower.waitForLog((line) => line.msg === 'fleet monitor running', 20_000);
  return {
    ...follower,
    proc,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return follower.exited;
    },
  };
}

/** A library job's row, read from the session log. */
export function jobRow(dir: string, id: number): Record<string, any> {
  const db = new Database(join(dir, 'data', 'sessions.db'), { readonly: true, timeout: 5000 });
  try {
    return db.prepare('SELECT * FROM library_jobs WHERE id = ?').get(id) as Record<string, any>;
  } finally {
    db.close();
  }
}

/** Polls job `id`'s row until `predicate` holds; the row. */
export async function waitForJob(dir: string, id: number, predicate: (row: Record<string, any>) => boolean, timeoutMs = 120_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  let row: Record<string, any> = {};
  for (;;) {
    row = jobRow(dir, id);
    if (row !== undefined && predicate(row)) return row;
    if (Date.now() > deadline) throw new Error(`library job ${id}: not there within ${timeoutMs} ms (last ${JSON.stringify(row)})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** SHA-256 of a whole file. */
export function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** What ffprobe says of a file: its streams (type:codec:language), chapters and duration. */
export function probe(path: string): { streams: string[]; chapters: number; durationS: number; video: string } {
  const run = spawnSync('ffprobe', ['-v', 'error', '-of', 'json', '-show_format', '-show_streams', '-show_chapters', path], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`ffprobe ${path}: ${run.stderr}`);
  const json = JSON.parse(run.stdout);
  const streams = (json.streams as any[]).map((s) => `${s.codec_type}:${s.codec_type === 'video' ? 'video' : s.codec_name}:${s.tags?.language ?? ''}`);
  return { streams, chapters: json.chapters.length, durationS: Number(json.format.duration), video: (json.streams as any[]).find((s) => s.codec_type === 'video')?.codec_name };
}

/** Decodes every stream of `path`; the errors ffmpeg printed ('' when none). */
export function decodeErrors(path: string): string {
  const run = spawnSync('ffmpeg', ['-nostdin', '-v', 'error', '-i', path, '-f', 'null', '-'], { encoding: 'utf8' });
  return run.status === 0 ? run.stderr.trim() : `exit ${run.status}: ${run.stderr.trim()}`;
}

/** The names in `dir` other than `keep`: leftovers (temporary outputs, kept originals). */
export function namesIn(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** One fault case: its own media folder under `dir/media/NAME` (one clip), session log and config, so a case's queue holds only its file. */
export function setUpCase(dir: string, name: string, workers: readonly { url: string; name: string; storage?: 'auto' | 'shared' | 'stream' }[], clip: { seconds?: number; codec?: 'h264' | 'hevc' } = {}) {
  const root = join(dir, 'cases', name);
  const media = join(dir, 'media', name);
  mkdirSync(root, { recursive: true });
  mkdirSync(media, { recursive: true });
  const path = makeClip(join(media, 'Film.mkv'), { codec: clip.codec ?? 'h264', seconds: clip.seconds ?? 2 });
  const config = writeServerConfig(root, workers);
  const scan = library(root, config, 'scan', media);
  if (scan.status !== 0) throw new Error(`scan: ${scan.stderr}`);
  return { root, media, path, config, sha: sha256(path) };
}

/** Whether a test may mount a small tmpfs (root and mount(8)): the disk-full cases need one. */
export const tmpfsWorks = process.getuid?.() === 0 && spawnSync('mount', ['--version']).status === 0;

/**
 * A disk-full case: `dir/media/full` a tmpfs with room for a 2 s clip and `roomBytes` more (too
 * little for its encode), the clip in it as Film.mkv, scanned, `plexbeam server` up with
 * `workers`, and `library encode --codec hevc --wait` run to its end. Null (a comment said why)
 * when the tmpfs cannot be mounted.
 */
export async function fullDiskCase(t: Test, dir: string, roomBytes: number, workers: readonly { url: string; name: string; storage?: 'auto' | 'shared' | 'stream' }[]) {
  const full = join(dir, 'media', 'full');
  mkdirSync(full, { recursive: true });
  const clip = makeClip(join(dir, 'full-clip.mkv'), { codec: 'h264', seconds: 2 });
  const size = Math.ceil((statSync(clip).size + roomBytes) / 4096) * 4096;
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'plexbeam-test-full', full], { encoding: 'utf8' });
  if (mount.status !== 0) {
    t.comment(`skipped: cannot mount a tmpfs: ${mount.stderr.trim()}`);
    return null;
  }
  t.teardown(() => void spawnSync('umount', ['-l', full]));
  const path = join(full, 'Film.mkv');
  copyFileSync(clip, path);
  rmSync(clip);
  const sha = sha256(path);
  const caseRoot = join(dir, 'cases', 'full');
  mkdirSync(caseRoot, { recursive: true });
  const config = writeServerConfig(caseRoot, workers);
  t.equal(library(caseRoot, config, 'scan', full).status, 0);
  const server = await startServer(caseRoot, config);
  t.teardown(() => server.stop());
  const run = library(caseRoot, config, 'encode', '--codec', 'hevc', '--min-savings', '1', '--wait');
  return { full, path, sha, caseRoot, server, run };
}

/** The two films of the encode tests in `films`: an H.264 mkv and an HEVC mp4 (2 s each), with each one's checksum, size and ffprobe view before any encode. */
export function makeFilms(films: string) {
  const h264 = makeClip(join(films, 'H264 Film.mkv'), { codec: 'h264', seconds: 2 });
  const hevc = makeClip(join(films, 'HEVC Film.mp4'), { codec: 'hevc', container: 'mp4', seconds: 2 });
  const facts = (path: string) => ({ sha: sha256(path), size: statSync(path).size, probe: probe(path) });
  return { h264, hevc, before: { h264: facts(h264), hevc: facts(hevc) } };
}

/** What every finished encode must show: `codec` video now, every other stream as before in order, the chapters, the duration within 0.5 s, a clean decode. */
export function assertEncoded(t: Test, path: string, was: { probe: ReturnType<typeof probe> }, codec: string): void {
  const now = probe(path);
  t.equal(now.video, codec, `${path}: video is ${codec} now`);
  t.same(now.streams, was.probe.streams, `${path}: every audio, subtitle and attachment stream kept, in order`);
  t.equal(now.chapters, 2, `${path}: the chapters kept`);
  t.ok(Math.abs(now.durationS - was.probe.durationS) <= 0.5, `${path}: duration ${now.durationS} s vs ${was.probe.durationS} s`);
  t.equal(decodeErrors(path), '', `${path}: decodes without an error`);
}
