/** Test helpers: fake Plex installs, the ways Plex updates overwrite a binary, and a real watchdog process. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const bin = fileURLToPath(new URL('../../bin/plexbeam', import.meta.url));
export const TRANSCODER = 'Plex Transcoder';

/** A distinct, runnable stand-in for Plex's transcoder, padded to `size` bytes after `exit 0`. */
export function fakeBinary(label: string, size = 4096): Buffer {
  const script = Buffer.from(`#!/bin/sh\n# fake Plex Transcoder ${label}\necho "${label}"\nexit 0\n`);
  const padding = Buffer.alloc(Math.max(0, size - script.length));
  const seed = createHash('sha256').update(label).digest();
  for (let index = 0; index < padding.length; index += 1) padding[index] = (seed[index % seed.length] as number) ^ (index & 0xff);
  return Buffer.concat([script, padding]);
}

export const md5 = (content: Buffer | string) => createHash('md5').update(content).digest('hex');
export const md5File = (path: string) => (existsSync(path) ? md5(readFileSync(path)) : null);

/** Creates a Plex folder: `Plex Transcoder` (mode 0755) and `Plex Media Server --version`. */
export function makePlexDir(plexDir: string, transcoder: Buffer, version = '1.41.3.9314-a0bfb8370'): void {
  mkdirSync(plexDir, { recursive: true });
  writeFileSync(join(plexDir, TRANSCODER), transcoder, { mode: 0o755 });
  chmodSync(join(plexDir, TRANSCODER), 0o755);
  setPlexVersion(plexDir, version);
}

/** Makes `Plex Media Server --version` print `version`, as a Plex update would. */
export function setPlexVersion(plexDir: string, version: string): void {
  const server = join(plexDir, 'Plex Media Server');
  writeFileSync(`${server}.new`, `#!/bin/sh\necho "v${version}"\n`, { mode: 0o755 });
  renameSync(`${server}.new`, server);
}

/** A package manager's update: write `Plex Transcoder.tmp`, then rename it over the transcoder. */
export function updateByRename(plexDir: string, content: Buffer): void {
  const temp = join(plexDir, `${TRANSCODER}.tmp`);
  writeFileSync(temp, content, { mode: 0o755 });
  renameSync(temp, join(plexDir, TRANSCODER));
}

/** An update that rewrites the transcoder in place, slowly: `chunks` writes with `pauseMs` between. */
export async function writeSlowly(path: string, content: Buffer, chunks: number, pauseMs: number): Promise<void> {
  const handle = await open(path, 'w', 0o755);
  try {
    const size = Math.ceil(content.length / chunks);
    for (let offset = 0; offset < content.length; offset += size) {
      await handle.write(content.subarray(offset, offset + size));
      await handle.sync();
      if (offset + size < content.length) await sleep(pauseMs);
    }
  } finally {
    await handle.close();
  }
}

/** Writes a config for a test Plex folder; `recheckCron` defaults to never firing during a test. */
export function writeConfig(dir: string, plexDir: string, watchdog: Record<string, unknown> = {}): string {
  const path = join(dir, 'config.json');
  const config = { plexDir, dataDir: join(dir, 'data'), logLevel: 'debug', watchdog: { settleMs: 200, recheckCron: '0 0 1 1 *', ...watchdog } };
  writeFileSync(path, JSON.stringify(config));
  return path;
}

/** Runs the built CLI with a scrubbed environment. */
export function plexbeam(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(bin, args, { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Polls `probe` until it returns a truthy value (default deadline 15 s); throws with `what` if it never does. */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** A watchdog started with `plexbeam watchdog --config …`, its JSON log lines collected. */
export interface WatchdogProcess {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  /** Waits for a log line matching `match` (every key equal). */
  waitForLog(match: Record<string, unknown>, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** SIGTERM (or `signal`), then the exit code and signal. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a real watchdog process and waits until it watches. */
export async function startWatchdog(config: string, env: Record<string, string> = {}): Promise<WatchdogProcess> {
  const child = spawn(bin, ['watchdog', '--config', config], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  child.stdout?.on('data', (data: Buffer) => {
    buffered += data.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) if (part.trim() !== '') lines.push(JSON.parse(part) as Record<string, unknown>);
  });
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => (stderr += data.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let done = false;
  void exited.then(() => (done = true));
  const waitForLog = (match: Record<string, unknown>, timeoutMs?: number) =>
    waitFor(`log line ${JSON.stringify(match)} (stderr: ${stderr})`, () => {
      if (done && !lines.some((line) => matches(line, match))) throw new Error(`watchdog exited before logging ${JSON.stringify(match)}; stderr: ${stderr}`);
      return lines.find((line) => matches(line, match));
    }, timeoutMs);
  const handle: WatchdogProcess = {
    child,
    lines,
    waitForLog,
    async stop(signal = 'SIGTERM') {
      if (!done) child.kill(signal);
      return exited;
    },
  };
  await waitForLog({ msg: `watching ${JSON.parse(readFileSync(config, 'utf8')).plexDir}/${TRANSCODER}` });
  return handle;
}

function matches(line: Record<string, unknown>, match: Record<string, unknown>): boolean {
  return Object.entries(match).every(([key, value]) => JSON.stringify(line[key]) === JSON.stringify(value));
}

/** Our temporaries and lock left in `plexDir` (there should be none once things settle). */
export function leftovers(plexDir: string): string[] {
  return readdirSync(plexDir).filter((name) => name.startsWith('.'));
}
