/**
 * Row 6, session log: 50 writer processes on one `sessions.db` at once, as 50 cartridges starting
 * together would be. 6a: sessions written per second (an insert and two updates each); 6b: what one
 * invocation's log work costs (load SQLite, open, insert, two updates, close) while all 50 do it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openSessionLog } from '../core/session-log/index.ts';
import type { Fixture } from './fixture.ts';
import { formatNumber } from './table.ts';
import { measured, type BenchRow, type RowOptions } from './types.ts';

const WRITERS = 50;
/** Sessions each writer writes per burst. */
const BURST_SESSIONS = 20;
/** The cartridge waits at most this long at exit for its session-log writes (SESSION_FINISH_MS in cartridge/run.ts). */
const CARTRIDGE_FINISH_MS = 400;
const WRITER = fileURLToPath(new URL(`./session-log-writer${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

interface Writer {
  child: ChildProcess;
  /** Resolves with the next `<command> <ms>` answer's ms. */
  next(): Promise<number>;
}

/** Measures rows 6a and 6b. */
export async function benchSessionLog(fx: Fixture, opts: RowOptions): Promise<BenchRow[]> {
  const bursts = opts.quick ? 1 : 3;
  const alone = opts.quick ? 3 : 7;
  const dir = join(fx.root, 'session-log');
  mkdirSync(dir, { recursive: true });
  const db = join(dir, 'sessions.db');
  // Created and migrated beforehand: cartridges meet an existing log, not a fresh one.
  openSessionLog(db).close();
  // The baseline: one invocation's log work with no other writer about, one fresh process at a time.
  const solo: number[] = [];
  for (let i = 0; i < alone; i += 1) {
    const writer = await startWriter(db, WRITERS + i);
    writer.child.stdin?.write('invocation\n');
    solo.push(await writer.next());
    await stopWriters([writer]);
  }
  const writers = await Promise.all(Array.from({ length: WRITERS }, (_, i) => startWriter(db, i)));
  const rates: number[] = [];
  let invocations: number[];
  try {
    invocations = await Promise.all(writers.map((w) => (w.child.stdin?.write('invocation\n'), w.next())));
    for (let round = 0; round < bursts; round += 1) {
      const started = performance.now();
      await Promise.all(writers.map((w) => (w.child.stdin?.write('burst\n'), w.next())));
      rates.push((WRITERS * BURST_SESSIONS) / ((performance.now() - started) / 1000));
    }
  } finally {
    await stopWriters(writers);
  }
  const rate = measured('sessions/s', 'sessions/s', rates);
  const cost = measured(`${WRITERS} at once`, 'ms', invocations);
  const worst = Math.max(...invocations);
  return [
    {
      id: '6a',
      name: `Session log: ${WRITERS} writer processes at once, sessions written per second`,
      baseline: null,
      measured: rate,
      result: { text: `${formatNumber(rate.median, '')} sessions/s (${formatNumber(rate.median * 3, '')} writes/s)`, value: rate.median, spread: rate.spread },
      goal: '— (none set)',
      pass: null,
      note: `session log: each session is an insert and two updates, one transaction each; ${WRITERS} × ${BURST_SESSIONS} sessions per burst.`,
    },
    {
      id: '6b',
      name: `Session log: one invocation's log work while ${WRITERS} run at once (load, open, insert, 2 updates, close)`,
      baseline: measured('alone', 'ms', solo),
      measured: cost,
      result: { text: `median ${formatNumber(cost.median, 'ms')} ms, max ${formatNumber(worst, 'ms')} ms`, value: worst, spread: null },
      goal: `max ≤ ${CARTRIDGE_FINISH_MS} ms (the cartridge's wait at exit)`,
      pass: worst <= CARTRIDGE_FINISH_MS,
      note: `session log: the ${WRITERS} share the machine's CPUs (loading SQLite is most of the work); a cartridge writes its row while the transcode runs and waits at most ${CARTRIDGE_FINISH_MS} ms for it at exit, so only invocations shorter than this wait can lose their last update.`,
    },
  ];
}

/** Ends the writers' input (they exit when it closes) and waits for them. */
async function stopWriters(writers: readonly Writer[]): Promise<void> {
  for (const w of writers) w.child.stdin?.end();
  await Promise.all(writers.map((w) => new Promise((resolve) => (w.child.exitCode !== null ? resolve(null) : w.child.once('exit', resolve)))));
}

/** Starts a writer (a clean environment, as a cartridge has) and resolves once it is loaded. */
async function startWriter(db: string, index: number): Promise<Writer> {
  const child = spawn(process.execPath, [WRITER, db, String(index), String(BURST_SESSIONS)], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const answers: string[] = [];
  const wakers: (() => void)[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    answers.push(line);
    wakers.shift()?.();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const take = () =>
    new Promise<string>((resolve, reject) => {
      if (answers.length > 0) return resolve(answers.shift() as string);
      wakers.push(() => resolve(answers.shift() as string));
      void exited.then(() => setTimeout(() => reject(new Error(`session-log writer ${index} exited: ${stderr.slice(-2000)}`)), 50));
    });
  if ((await take()) !== 'ready') throw new Error(`session-log writer ${index} did not start: ${stderr}`);
  return {
    child,
    async next() {
      const answer = await take();
      const ms = Number(answer.split(' ')[1]);
      if (!Number.isFinite(ms)) throw new Error(`session-log writer ${index}: ${answer}`);
      return ms;
    },
  };
}
