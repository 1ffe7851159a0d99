/**
 * Benchmark: how long after a Plex update's last write the shim is back. Runs a real watchdog
 * process on a temporary Plex folder with the default `watchdog.settleMs`, and times N updates
 * done the way package managers do them (write a temporary file, fsync, rename it over).
 * Alone: `scripts/with-node node bench/watchdog-reaction.ts [--runs N]`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, fsyncSync, closeSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { installCartridge } from '../core/cartridge-install.ts';
import { isShim } from '../core/cartridge-shim.ts';
import { CONFIG_SCHEMA } from '../core/config-schema.ts';

/** Size of each fake Plex Transcoder, in bytes (16 MiB: the real one is tens of MB; hashing it is part of the cost). */
const BINARY_BYTES = 16 * 1024 * 1024;
const watchdogSchema = CONFIG_SCHEMA.watchdog;
const SETTLE_MS = watchdogSchema?.kind === 'object' && watchdogSchema.fields.settleMs?.kind === 'integer' ? watchdogSchema.fields.settleMs.default : 300;

/** Times `runs` Plex updates, from the rename that ends the write to the shim being back, in ms. */
export async function benchWatchdogReaction(opts: { runs: number }): Promise<{ name: string; samplesMs: number[] }> {
  const root = mkdtempSync(join(tmpdir(), 'plexbeam-bench-watchdog-'));
  const plexDir = join(root, 'plex');
  const transcoder = join(plexDir, 'Plex Transcoder');
  mkdirSync(plexDir);
  writeFileSync(transcoder, fakeBinary(), { mode: 0o755 });
  await installCartridge({ plexDir });
  const config = join(root, 'config.json');
  writeFileSync(config, JSON.stringify({ plexDir, dataDir: join(root, 'data'), logLevel: 'debug', watchdog: { settleMs: SETTLE_MS } }));
  const cli = fileURLToPath(new URL(`../cli/main${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
  const child = spawn(process.execPath, [cli, 'watchdog', '--config', config], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const samplesMs: number[] = [];
  try {
    await until(() => output.includes('"msg":"the shim is installed"'), 30_000);
    for (let run = 0; run < opts.runs; run += 1) {
      const content = fakeBinary();
      const temp = `${transcoder}.tmp`;
      const fd = openSync(temp, 'w', 0o755);
      writeSync(fd, content);
      fsyncSync(fd);
      closeSync(fd);
      renameSync(temp, transcoder);
      const start = performance.now();
      await until(() => isShim(readHead(transcoder)), 30_000);
      samplesMs.push(performance.now() - start);
      // Let the watchdog's own follow-up check (of its own writes) pass before the next update.
      await sleep(SETTLE_MS * 3);
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(root, { recursive: true, force: true });
  }
  return { name: `watchdog reaction: update end to shim restored (settleMs ${SETTLE_MS}, ${BINARY_BYTES >> 20} MiB binary)`, samplesMs };
}

function fakeBinary(): Buffer {
  return Buffer.concat([Buffer.from('#!/bin/sh\necho fake Plex Transcoder\nexit 0\n'), randomBytes(BINARY_BYTES)]);
}

function readHead(path: string): Buffer {
  try {
    return readFileSync(path).subarray(0, 512);
  } catch {
    return Buffer.alloc(0);
  }
}

/** Polls every millisecond: the poll interval bounds the measurement's resolution. */
async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('watchdog benchmark: timed out');
    await sleep(1);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const index = process.argv.indexOf('--runs');
  const runs = index > 0 ? Number(process.argv[index + 1]) : 20;
  const { name, samplesMs } = await benchWatchdogReaction({ runs });
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (q: number) => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN).toFixed(1);
  process.stdout.write(`${name}\n  runs ${sorted.length}  median ${at(0.5)} ms  min ${at(0)} ms  p90 ${at(0.9)} ms  max ${at(1)} ms\n`);
}
