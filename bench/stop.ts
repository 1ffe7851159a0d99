/**
 * Row 10, stops: how long a remote transcode takes to stop, mid-stream (its first segment out).
 * 10a: Plex's SIGTERM to the shim's exit, the remote job cancelled (SPEC: within a second).
 * 10b: the shim SIGKILLed (no goodbye on the link) to the worker's log saying the job was
 * cancelled and its ffmpeg gone (SPEC: within 5 s). These were bounds in test/cartridge/signals.test.ts;
 * a bound on a loaded test machine either flakes or is too loose to mean anything.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Fixture } from './fixture.ts';
import { FIRST_SEGMENT, plexHlsArgv } from './plex-argv.ts';
import { startTimed, stopChild, until } from './processes.ts';
import { summarize } from './stats.ts';
import { formatNumber } from './table.ts';
import { measured, type BenchRow, type RowOptions } from './types.ts';

/** SPEC: SIGTERM stops the work within a second. */
const GOAL_TERM_MS = 1000;
/** SPEC: a job whose cartridge vanished is killed within 5 s. */
const GOAL_KILL_MS = 5000;

/** Measures rows 10a and 10b. */
export async function benchStop(fx: Fixture, opts: RowOptions): Promise<BenchRow[]> {
  const runs = opts.quick ? 2 : 5;
  const { worker, config } = await fx.worker();
  let session = 0;
  /** Starts a transcode through the worker and resolves once its first segment is out. */
  const midStream = async () => {
    session += 1;
    const cwd = fx.sessionDir('stop');
    // Live-paced and looped, as a film playing: still running whenever the stop comes.
    const argv = plexHlsArgv({ input: fx.clip, pmsUrl: fx.pms.url, session: `stop-${session}` });
    argv.splice(argv.indexOf('-i'), 0, '-re', '-stream_loop', '-1');
    const run = startTimed(fx.shim, argv, { env: fx.plexEnv(config), cwd });
    await until(() => existsSync(join(cwd, FIRST_SEGMENT)) || run.child.exitCode !== null, 'first segment through the worker');
    if (run.child.exitCode !== null) throw new Error(`the shim ended before a segment: ${run.stderr().slice(-2000)}`);
    const started = await worker.waitForLog((l) => l.msg === 'job started' && l.cwd === cwd);
    return { run, jobId: started.job_id as string };
  };
  const term: number[] = [];
  const kill: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    {
      const { run, jobId } = await midStream();
      const sent = performance.now();
      run.child.kill('SIGTERM');
      const end = await run.exited;
      await worker.waitForLog((l) => l.job_id === jobId && typeof l.msg === 'string' && l.msg.startsWith('job cancelled'));
      term.push(end.at - sent);
    }
    {
      const { run, jobId } = await midStream();
      const sent = performance.now();
      await stopChild(run, 'SIGKILL');
      const ended = await worker.waitForLog((l) => l.job_id === jobId && typeof l.msg === 'string' && l.msg.startsWith('job cancelled'), 30_000);
      kill.push(ended.bench_at - sent);
    }
  }
  const termMedian = summarize(term).median;
  const killMedian = summarize(kill).median;
  return [
    {
      id: '10a', name: 'Stop: SIGTERM mid-stream → shim exit, remote job cancelled',
      baseline: null, measured: measured('SIGTERM to exit', 'ms', term),
      result: { text: `${formatNumber(termMedian, 'ms')} ms`, value: termMedian, spread: measured('', 'ms', term).spread },
      goal: `≤ ${GOAL_TERM_MS} ms`, pass: termMedian <= GOAL_TERM_MS,
    },
    {
      id: '10b', name: 'Stop: shim SIGKILLed mid-stream → worker cancels the job',
      baseline: null, measured: measured('SIGKILL to job cancelled', 'ms', kill),
      result: { text: `${formatNumber(killMedian, 'ms')} ms`, value: killMedian, spread: measured('', 'ms', kill).spread },
      goal: `≤ ${GOAL_KILL_MS} ms`, pass: killMedian <= GOAL_KILL_MS,
      note: "the worker notices the link's close, then waits linkGraceMs for the cartridge to reopen it",
    },
  ];
}
