/**
 * Row 14, failover (issue 13): corpus 20's argv (HLS ssegment, 1 s segments, the CSV list POSTed
 * to Plex; at 320x180 on the harness's medium, paced by `-re`) through the shim with two loopback
 * workers; the one running it is SIGKILLed once Plex has the third segment. The gap is the time
 * between the fake PMS hearing of the last segment before the kill and of the next one (from
 * the other worker, resumed there); the interval is the median of the other gaps in the same
 * run. Goal: gap ≤ 2 intervals + 1 s, with every segment number once (listed and on disk).
 */
import { readdirSync, readFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { adaptCorpusArgv, ensureTestMedia, loadCorpus } from '../test/harness/index.ts';
import { listedTimes, readRun, type FailoverRun } from './failover-gap.ts';
import type { Fixture } from './fixture.ts';
import { startTimed, until } from './processes.ts';
import { summarize } from './stats.ts';
import { formatNumber } from './table.ts';
import { measured, type BenchRow, type RowOptions } from './types.ts';
import { startWorkerProcess } from './worker-process.ts';

/** Plex has this many segments (0, 1, 2) when the worker is killed. */
const BEFORE_KILL = 3;

/** Pids of live processes whose command line contains `needle` (a SIGKILLed worker's ffmpeg is left behind). */
function processesWith(needle: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(needle)) pids.push(Number(name));
    } catch {
      // gone while we looked
    }
  }
  return pids;
}

/** Measures row 14. */
export async function benchFailover(fx: Fixture, opts: RowOptions): Promise<BenchRow[]> {
  const runs = opts.quick ? 1 : 3;
  const media = await ensureTestMedia();
  const corpus20 = loadCorpus().find((s) => s.id === '20')?.argv;
  if (corpus20 === undefined) throw new Error('no corpus sample 20');
  const results: FailoverRun[] = [];
  for (let i = 0; i < runs; i += 1) {
    const cwd = fx.sessionDir('failover');
    const roots = { mediaRoots: [media.dir], transcodeRoots: [dirname(cwd)] };
    const home = (name: string) => {
      const path = join(fx.root, `failover-${i}-${name}`);
      mkdirSync(path, { recursive: true });
      return path;
    };
    const a = await startWorkerProcess(home('a'), roots);
    const b = await startWorkerProcess(home('b'), roots);
    try {
      const argv = adaptCorpusArgv(corpus20, { media, sessionDir: cwd, pmsUrl: fx.pms.url }).map((arg) => arg.replace(/w=3840:h=2160/, 'w=320:h=180'));
      argv.splice(argv.indexOf('-i'), 0, '-re');
      const config = fx.config(`failover-${i}`, { workers: [{ url: a.url, apiKey: a.apiKey, name: 'a', weight: 100 }, { url: b.url, apiKey: b.apiKey, name: 'b' }] });
      const seen = fx.pms.requests.length;
      const lists = () => fx.pms.requests.slice(seen).filter((r) => r.path.endsWith('/manifest'));
      const run = startTimed(fx.shim, argv, { env: fx.plexEnv(config), cwd });
      await until(() => listedTimes(lists()).at.has(BEFORE_KILL - 1) || run.child.exitCode !== null, `Plex has ${BEFORE_KILL} segments`, 60_000, 5);
      if (run.child.exitCode !== null) throw new Error(`the shim ended before segment ${BEFORE_KILL - 1}: ${run.stderr().slice(-2000)}`);
      process.kill(a.pid, 'SIGKILL');
      const killedAt = Date.now();
      const end = await run.exited;
      if (end.code !== 0) throw new Error(`the shim exited ${end.code ?? end.signal}: ${run.stderr().slice(-2000)}`);
      const onDisk = readdirSync(cwd).filter((n) => /^media-\d+\.ts$/.test(n)).map((n) => Number(/\d+/.exec(n)?.[0]));
      const result = readRun(listedTimes(lists()), killedAt, onDisk);
      opts.say(`bench: row 14 run ${i + 1}: last before the kill ${result.lastBefore}, gap ${result.gapMs} ms, interval ${result.intervalMs} ms, missing [${result.missing.join(' ')}], duplicated [${result.duplicated.join(' ')}]`);
      results.push(result);
    } finally {
      for (const pid of processesWith(cwd)) process.kill(pid, 'SIGKILL');
      await Promise.all([a.stop(), b.stop()]);
    }
  }
  const gaps = results.map((r) => r.gapMs);
  const intervals = results.map((r) => r.intervalMs);
  const limits = results.map((r) => 2 * r.intervalMs + 1000);
  const gap = summarize(gaps).median;
  const limit = summarize(limits).median;
  const missing = results.reduce((n, r) => n + r.missing.length, 0);
  const duplicated = results.reduce((n, r) => n + r.duplicated.length, 0);
  return [{
    id: '14', name: 'Failover: worker SIGKILLed after the 3rd 1 s HLS segment, the other worker goes on',
    baseline: measured('normal interval', 'ms', intervals),
    measured: measured('gap across the kill', 'ms', gaps),
    result: { text: `gap ${formatNumber(gap, 'ms')} ms vs ≤ ${formatNumber(limit, 'ms')} ms; ${missing} missing, ${duplicated} duplicated`, value: gap, spread: measured('', 'ms', gaps).spread },
    goal: '≤ 2 intervals + 1 s; 0 missing or duplicated',
    pass: gaps.every((g, i) => g <= (limits[i] as number)) && missing === 0 && duplicated === 0,
    note: 'times are when the fake PMS received each segment\'s row of the CSV list; the limit is per run, 2 × that run\'s median interval + 1 s',
  }];
}
