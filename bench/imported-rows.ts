/**
 * Rows measured by the parts' own benchmarks, put into the table's shape: 1 (bench/cartridge-start.ts),
 * 7 (bench/analyze.ts) and 8 (bench/watchdog-reaction.ts). Each one's file says what it times.
 */
import { benchAnalyze } from './analyze.ts';
import { benchCartridgeStart, type StartRow } from './cartridge-start.ts';
import { formatNumber } from './table.ts';
import { measured, type BenchRow, type Measurement, type RowOptions } from './types.ts';
import { benchWatchdogReaction } from './watchdog-reaction.ts';

const START_GOAL_RATIO = 2.0;
const ANALYZE_GOAL_S = 2;
const WATCHDOG_GOAL_MS = 2000;

/** A start-up case as a measurement: its median and interquartile range (all bench/cartridge-start.ts reports). */
function fromStartRow(label: string, row: StartRow, runs: number): Measurement {
  return { label, unit: 'ms', median: row.medianMs, spread: `IQR ${formatNumber(row.spreadMs, 'ms')}`, runs };
}

/** Row 1: the shim's exec → the worker receiving the job, vs bare Node and the stand-in transcoder. */
export async function benchStartRows(opts: RowOptions): Promise<BenchRow[]> {
  const runs = opts.quick ? 5 : 15;
  const { rows } = await benchCartridgeStart({ runs });
  const find = (pattern: RegExp) => {
    const row = rows.find((r) => pattern.test(r.name));
    if (row === undefined) throw new Error(`bench/cartridge-start.ts reported no case matching ${pattern} (it has: ${rows.map((r) => r.name).join('; ')})`);
    return row;
  };
  const bare = fromStartRow('node -e 0', find(/node -e 0/), runs);
  const shim = find(/POST \/transcode|worker receiv/);
  const standIn = find(/real.*direct/i);
  const passThrough = rows.find((r) => /passing|pass-through/i.test(r.name));
  // Ratios of medians: the cases run interleaved, but only their summaries come back.
  const ratio = shim.medianMs / bare.median;
  const out: BenchRow[] = [
    {
      id: '1',
      name: 'Cartridge start: shim exec → worker receives the job',
      baseline: bare,
      measured: fromStartRow('shim → job', shim, runs),
      result: { text: `${ratio.toFixed(2)}× bare Node`, value: ratio, spread: null },
      goal: `≤ ${START_GOAL_RATIO.toFixed(1)}× bare Node`,
      pass: ratio <= START_GOAL_RATIO,
    },
    {
      id: '1b',
      name: 'Stand-in real transcoder, direct exec (`-version`)',
      baseline: bare,
      measured: fromStartRow('stand-in', standIn, runs),
      result: { text: `${(standIn.medianMs / bare.median).toFixed(2)}× bare Node`, value: standIn.medianMs / bare.median, spread: null },
      goal: '— (reference)',
      pass: null,
    },
  ];
  // 1d-1f: the same start-up with the health from plexbeam-server's fresh cache, to a pinned HTTPS worker, and both.
  const cached = rows.find((r) => /fresh fleet cache/.test(r.name));
  const pinned = rows.find((r) => /^shim, HTTPS worker with a pinned/.test(r.name));
  const pinnedCached = rows.find((r) => /^shim, pinned HTTPS worker, health from the cache/.test(r.name));
  // With PLEXBEAM_BENCH_BEFORE: the same two cases through another build, in the same run.
  const before = rows.find((r) => /^before build: shim, HTTPS worker with a pinned/.test(r.name));
  const beforeCached = rows.find((r) => /^before build: shim, pinned HTTPS worker, health from the cache/.test(r.name));
  for (const [id, name, row] of [
    ['1d', 'Cartridge start, health from the fresh fleet cache: shim exec → worker receives the job', cached],
    ['1e', 'Cartridge start, HTTPS worker (pinned certificate), health asked live: shim exec → worker receives the job', pinned],
    ['1f', 'Cartridge start, HTTPS worker (pinned certificate), health from the cache: shim exec → worker receives the job', pinnedCached],
    ['1e-before', '1e through the PLEXBEAM_BENCH_BEFORE build, same run', before],
    ['1f-before', '1f through the PLEXBEAM_BENCH_BEFORE build, same run', beforeCached],
  ] as const) {
    if (row === undefined) continue;
    const rowRatio = row.medianMs / bare.median;
    out.push({
      id,
      name,
      baseline: bare,
      measured: fromStartRow('shim → job', row, runs),
      result: { text: `${rowRatio.toFixed(2)}× bare Node (row 1: ${ratio.toFixed(2)}×)`, value: rowRatio, spread: null },
      goal: `≤ ${START_GOAL_RATIO.toFixed(1)}× bare Node`,
      pass: rowRatio <= START_GOAL_RATIO,
    });
  }
  if (passThrough !== undefined) {
    out.push({
      id: '1c',
      name: 'Pass-through `-version` via the shim vs the stand-in direct',
      baseline: fromStartRow('stand-in', standIn, runs),
      measured: fromStartRow('via shim', passThrough, runs),
      result: { text: `+${(passThrough.medianMs - standIn.medianMs).toFixed(0)} ms`, value: passThrough.medianMs - standIn.medianMs, spread: null },
      goal: '— (reference)',
      pass: null,
    });
  }
  return out;
}

/** Row 7: `plexbeam analyze` summary and feasibility on a million-session log: seconds and peak RSS. */
export async function benchAnalyzeRows(opts: RowOptions): Promise<BenchRow[]> {
  const sessions = opts.quick ? 100_000 : 1_000_000;
  const runs = opts.quick ? 1 : 3;
  const { rows } = await benchAnalyze({ rows: sessions, runs });
  const pick = (pattern: RegExp) => rows.find((r) => pattern.test(r.name));
  const generate = pick(/generate/);
  if (generate !== undefined) opts.say(`  analyze: ${generate.name}: ${generate.seconds.toFixed(1)} s, ${generate.peakRssMb.toFixed(0)} MB peak RSS`);
  const views: [string, string, RegExp, boolean][] = [
    ['7a', 'summary', /summary/, true],
    ['7b', '--remote-feasibility', /feasibility/, true],
    ['7c', '--patterns', /patterns/, false],
  ];
  const out: BenchRow[] = [];
  for (const [id, view, pattern, hasGoal] of views) {
    const row = pick(pattern);
    if (row === undefined) continue;
    const ofRuns = Number(/median of (\d+)/.exec(row.name)?.[1] ?? runs);
    out.push({
      id,
      name: `Analyze ${view}, ${sessions.toLocaleString('en')}-session log`,
      baseline: null,
      measured: { label: 'wall', unit: 's', median: row.seconds, spread: null, runs: ofRuns },
      result: { text: `${row.seconds.toFixed(2)} s, ${row.peakRssMb.toFixed(0)} MB peak RSS`, value: row.seconds, spread: null },
      goal: hasGoal ? `< ${ANALYZE_GOAL_S} s` : '— (not in the goal)',
      pass: hasGoal ? row.seconds < ANALYZE_GOAL_S : null,
    });
  }
  if (out.length === 0) throw new Error(`bench/analyze.ts reported none of the views (it has: ${rows.map((r) => r.name).join('; ')})`);
  return out;
}

/** Row 8: the watchdog, from the end of a Plex update's write to the shim restored. */
export async function benchWatchdogRows(opts: RowOptions): Promise<BenchRow[]> {
  const { samplesMs } = await benchWatchdogReaction({ runs: opts.quick ? 3 : 7 });
  const m = measured('update → shim', 'ms', samplesMs);
  return [{
    id: '8',
    name: 'Watchdog reaction: Plex update written → shim restored',
    baseline: null,
    measured: m,
    result: { text: `${formatNumber(m.median, 'ms')} ms`, value: m.median, spread: m.spread },
    goal: `< ${WATCHDOG_GOAL_MS / 1000} s (median)`,
    pass: m.median < WATCHDOG_GOAL_MS,
  }];
}
