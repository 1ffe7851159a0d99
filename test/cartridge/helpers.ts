/** Helpers for the cartridge tests: a Plex folder with the installed shim, configs, runs of the shim. */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { renderShim } from '../../core/cartridge-shim.ts';
import { writeFakeTranscoder } from '../harness/index.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'plexbeam');
export const API_KEY = 'cartridge-test-key-0123';
export const TOKEN = 'local-plex-token-5ecret';

/** Every process a cartridge test started and that still runs. */
const started = new Set<ChildProcess>();
const SETPRIV = '/usr/bin/setpriv';

/**
 * Spawns a process the test file owns: it is SIGKILLed when the file's tests end (passed or
 * failed), when the test process exits, and (setpriv's parent-death signal) when the test
 * process itself is killed, e.g. by tap's timeout. Nothing a test started outlives it.
 */
export function spawnOwned(file: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const proc = existsSync(SETPRIV) ? spawn(SETPRIV, ['--pdeathsig', 'SIGKILL', '--', file, ...args], options) : spawn(file, args, options);
  started.add(proc);
  proc.once('exit', () => started.delete(proc));
  return proc;
}

/** SIGKILLs whatever this file's tests started and is still running. */
function killStarted(): void {
  for (const proc of started) if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
}
t.teardown(async () => {
  const running = [...started];
  killStarted();
  await Promise.all(running.map((proc) => (proc.exitCode !== null || proc.signalCode !== null ? undefined : new Promise((resolve) => proc.once('exit', resolve)))));
});
process.once('exit', killStarted);

/** A Plex install with the shim in place of `Plex Transcoder` and the stand-in as `.real`. */
export interface PlexDir {
  dir: string;
  shim: string;
  real: string;
  /** Where the stand-in logs its runs (PLEXBEAM_FAKE_REAL_LOG). */
  realLog: string;
}

/** Lays out `<dir>/plex` with the shim as `bin/plexbeam cartridge install` writes it (this Node, dist/). */
export async function installShim(dir: string): Promise<PlexDir> {
  const plex = join(dir, 'plex');
  mkdirSync(plex, { recursive: true });
  const shim = join(plex, 'Plex Transcoder');
  const real = `${shim}.real`;
  await writeFakeTranscoder(real);
  writeFileSync(shim, renderShim({ nodePath: process.execPath, cartridgeMain: join(ROOT, 'dist', 'cartridge', 'main.js') }), { mode: 0o755 });
  chmodSync(shim, 0o755);
  return { dir: plex, shim, real, realLog: join(dir, 'real.log') };
}

/** Replaces the stand-in `.real` with a shell script (for environments that would break Node). */
export function writeShellReal(plex: PlexDir, body: string): void {
  writeFileSync(plex.real, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
}

/** Writes the cartridge's config (`dataDir` under `dir`) and returns its path. */
export function writeConfig(dir: string, config: Record<string, unknown>): string {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify({ dataDir: join(dir, 'data'), plexDir: join(dir, 'plex'), ...config }));
  return path;
}

/** The environment Plex would give the transcoder, plus what the tests need. */
export function plexEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    LANG: 'en_US.UTF-8',
    X_PLEX_TOKEN: TOKEN,
    PLEX_MEDIA_SERVER_HOME: '/usr/lib/plexmediaserver',
    FFMPEG_EXTERNAL_LIBS: '/var/lib/plexmediaserver/Library/Application\\ Support/Plex\\ Media\\ Server/Codecs/',
    ...extra,
  };
}

export interface ShimRun {
  proc: ChildProcess;
  /** When it was started (ms since the epoch). */
  startedAt: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with how it ended and when. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; endedAt: number }>;
}

/** Starts the installed shim the way Plex does: by path, with `env` and `cwd`. */
export function startShim(plex: PlexDir, argv: readonly string[], options: { env: Record<string, string>; cwd: string }): ShimRun {
  const startedAt = Date.now();
  // Through `env -i`: tap adds its own variables (NODE_OPTIONS …) to whatever a test spawns,
  // and the shim must see exactly the environment Plex would give it.
  const env = Object.entries({ PLEXBEAM_FAKE_REAL_LOG: plex.realLog, ...options.env }).map(([name, value]) => `${name}=${value}`);
  const proc = spawnOwned('/usr/bin/env', ['-i', ...env, plex.shim, ...argv], { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  proc.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; endedAt: number }>((resolve) =>
    proc.on('close', (code, signal) => resolve({ code, signal, endedAt: Date.now() })),
  );
  return { proc, startedAt, stdout: () => out, stderr: () => err, exited };
}

/** Runs the shim to its end. */
export async function runShim(plex: PlexDir, argv: readonly string[], options: { env: Record<string, string>; cwd: string }) {
  const run = startShim(plex, argv, options);
  const end = await run.exited;
  return { ...end, stdout: run.stdout(), stderr: run.stderr(), ms: end.endedAt - run.startedAt };
}

/** Pids of live processes whose command line contains `needle` (zombies excluded). */
export function processesWith(needle: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(needle)) pids.push(Number(name));
    } catch {
      // gone while we looked
    }
  }
  return pids;
}

/** The environment a process was started with, from /proc. */
export function processEnv(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** Makes a small H.264/AAC Matroska file of `seconds` seconds at 24 fps, a keyframe a second. */
export function makeMedia(path: string, seconds = 4): string {
  mkdirSync(dirname(path), { recursive: true });
  const result = spawnSync('ffmpeg', [
    '-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=s=320x240:r=24:d=${seconds}`, '-f', 'lavfi', '-i', `sine=d=${seconds}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '24', '-c:a', 'aac', path,
  ]);
  if (result.status !== 0) throw new Error(`ffmpeg could not make test media: ${result.stderr}`);
  return path;
}

/** Copies `src` to `dest`, creating folders. */
export function copyInto(src: string, dest: string): void {
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(src, dest);
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function until<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** Every session row in `<dir>/data/sessions.db`, oldest first. */
export async function readSessions(dir: string): Promise<import('../../core/session-log/index.ts').SessionRow[]> {
  const { openSessionLog } = await import('../../core/session-log/index.ts');
  const log = openSessionLog(join(dir, 'data', 'sessions.db'));
  try {
    const ids = log.db.prepare('SELECT id FROM sessions ORDER BY started_at, rowid').all() as { id: string }[];
    return ids.map(({ id }) => log.getSession(id)).filter((row) => row !== undefined);
  } finally {
    log.close();
  }
}
