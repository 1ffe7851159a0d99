/**
 * Row 3, fallback: how long Plex waits for its own transcoder when the worker is dead (connection
 * refused) or hung (accepts, never answers), against a pass-through call (`-version`) that goes to
 * the real transcoder without asking anyone. The clock stops when `Plex Transcoder.real` starts.
 * With PLEXBEAM_BENCH_BEFORE=<another build's dist/cartridge/main.js>, 3a and 3c also run,
 * interleaved, through a shim of that build (rows 3a-before, 3c-before): before/after in one run.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import { renderShim } from '../core/cartridge-shim.ts';
import { CONFIG_SCHEMA } from '../core/config-schema.ts';
import { createFleetMonitor } from '../server/monitor.ts';
import { refusedUrl, startSilentWorker } from './fake-workers.ts';
import { REAL_STARTED, type Fixture } from './fixture.ts';
import { plexHlsArgv } from './plex-argv.ts';
import { startTimed } from './processes.ts';
import { pairedRatios, summarize } from './stats.ts';
import { measured, ratioResult, type BenchRow, type RowOptions } from './types.ts';

/** Refused may cost at most this much more than a pass-through. */
const GOAL_REFUSED_RATIO = 1.2;
/** A hung worker may hold the job up by at most healthTimeoutMs plus this. */
const GOAL_SILENT_SLACK_MS = 50;
const healthSchema = CONFIG_SCHEMA.healthTimeoutMs;
/** The default `healthTimeoutMs`, from the config schema (what users run with). */
const HEALTH_TIMEOUT_MS = healthSchema?.kind === 'integer' ? healthSchema.default : 500;

/** Measures rows 3a (refused), 3b (silent) and 3c (both, known down from plexbeam-server's fresh fleet cache). */
export async function benchFallback(fx: Fixture, opts: RowOptions): Promise<BenchRow[]> {
  const runs = opts.quick ? 3 : 9;
  const silent = await startSilentWorker();
  const refusedConfig = fx.config('refused', { workers: [{ url: await refusedUrl(), apiKey: 'bench', name: 'dead' }] });
  const silentConfig = fx.config('silent', { workers: [{ url: silent.url, apiKey: 'bench', name: 'hung' }], healthTimeoutMs: HEALTH_TIMEOUT_MS });
  // 3c: the server's own monitor keeps a fleet cache fresh (written every 2 s) that says both are down.
  const deadUrl = JSON.parse(readFileSync(refusedConfig, 'utf8')).workers[0].url as string;
  const cachedWorkers = [{ url: deadUrl, apiKey: 'bench', name: 'dead' }, { url: silent.url, apiKey: 'bench', name: 'hung' }];
  const fleetFile = join(dirname(refusedConfig), 'fleet.json');
  const monitor = createFleetMonitor({ workers: cachedWorkers, fleetFile, intervalMs: 2000, timeoutMs: 1500, log: pino({ level: 'silent' }) });
  await monitor.start();
  const cachedConfig = fx.config('cached', { workers: cachedWorkers, healthTimeoutMs: HEALTH_TIMEOUT_MS, server: { fleetFile } });
  const cwd = fx.sessionDir('fallback');
  const argv = plexHlsArgv({ input: fx.clip, pmsUrl: fx.pms.url, session: 'fallback' });
  // The before build's shim beside the installed one, with its own stand-in (`<shim>.real`).
  const beforeMain = process.env.PLEXBEAM_BENCH_BEFORE;
  const beforeShim = beforeMain === undefined || beforeMain === '' ? null : join(dirname(fx.shim), 'Plex Transcoder (before)');
  if (beforeShim !== null) {
    writeFileSync(beforeShim, renderShim({ nodePath: process.execPath, cartridgeMain: beforeMain as string }), { mode: 0o755 });
    copyFileSync(fx.real, `${beforeShim}.real`);
  }
  const untilReal = async (args: string[], config: string, shim = fx.shim) => {
    const run = startTimed(shim, args, { env: fx.plexEnv(config), cwd });
    const at = await run.stderrMatch(new RegExp(REAL_STARTED));
    const end = await run.exited;
    if (end.code !== 0) throw new Error(`the shim failed (exit ${end.code ?? end.signal}): ${run.stderr().slice(-2000)}`);
    return at - run.startedAt;
  };
  const samples = { pass: [] as number[], refused: [] as number[], silent: [] as number[], cached: [] as number[], refusedBefore: [] as number[], cachedBefore: [] as number[] };
  try {
    await untilReal(['-version'], refusedConfig);
    await untilReal(argv, refusedConfig);
    for (let i = 0; i < runs; i += 1) {
      samples.pass.push(await untilReal(['-version'], refusedConfig));
      samples.refused.push(await untilReal(argv, refusedConfig));
      samples.silent.push(await untilReal(argv, silentConfig));
      samples.cached.push(await untilReal(argv, cachedConfig));
      if (beforeShim === null) continue;
      samples.refusedBefore.push(await untilReal(argv, refusedConfig, beforeShim));
      samples.cachedBefore.push(await untilReal(argv, cachedConfig, beforeShim));
    }
  } finally {
    await monitor.close();
    await silent.close();
  }
  const cached = ratioResult(pairedRatios(samples.cached, samples.pass), 'pass-through');
  const passThrough = measured('pass-through', 'ms', samples.pass);
  const refused = ratioResult(pairedRatios(samples.refused, samples.pass), 'pass-through');
  const silentSummary = summarize(samples.silent);
  const extra = summarize(samples.silent.map((v, i) => v - (samples.pass[i] as number)));
  const limit = HEALTH_TIMEOUT_MS + GOAL_SILENT_SLACK_MS;
  return [
    {
      id: '3a',
      name: 'Fallback, dead worker (refused): exec → real transcoder starts',
      baseline: passThrough,
      measured: measured('refused', 'ms', samples.refused),
      result: refused,
      goal: `≤ ${GOAL_REFUSED_RATIO.toFixed(1)}× pass-through`,
      pass: (refused.value as number) <= GOAL_REFUSED_RATIO,
    },
    {
      id: '3b',
      name: 'Fallback, silent worker (never answers): exec → real transcoder starts',
      baseline: passThrough,
      measured: measured('silent', 'ms', samples.silent),
      result: { text: `+${extra.median.toFixed(0)} ms over pass-through`, value: extra.median, spread: `${extra.min.toFixed(0)}–${extra.max.toFixed(0)}` },
      goal: `≤ healthTimeoutMs + ${GOAL_SILENT_SLACK_MS} = ${limit} ms (wait beyond start-up)`,
      pass: extra.median <= limit,
      note: `silent: the wait is counted beyond the pass-through time (the cartridge's own start, ~${passThrough.median.toFixed(0)} ms here, comes first); from exec it is ${silentSummary.median.toFixed(0)} ms, ${silentSummary.median <= limit ? 'also within' : 'over'} ${limit} ms.`,
    },
    {
      id: '3c',
      name: 'Fallback, dead and silent workers known down from the fresh fleet cache: exec → real transcoder starts',
      baseline: passThrough,
      measured: measured('cached', 'ms', samples.cached),
      result: cached,
      goal: `≤ ${GOAL_REFUSED_RATIO.toFixed(1)}× pass-through`,
      pass: (cached.value as number) <= GOAL_REFUSED_RATIO,
      note: 'plexbeam-server\'s monitor (in-process, every 2 s) keeps the cache fresh; the cartridge reads it and asks no worker (docs/SERVER.md).',
    },
    ...(beforeShim === null ? [] : [
      beforeRow('3a-before', '3a through the PLEXBEAM_BENCH_BEFORE build, same run', passThrough, samples.refusedBefore, samples.pass),
      beforeRow('3c-before', '3c through the PLEXBEAM_BENCH_BEFORE build, same run', passThrough, samples.cachedBefore, samples.pass),
    ]),
  ];
}

/** A row of the before build's shim, against the same pass-through runs as the current build's. */
function beforeRow(id: string, name: string, passThrough: BenchRow['baseline'], before: number[], pass: number[]): BenchRow {
  const result = ratioResult(pairedRatios(before, pass), 'pass-through');
  return { id, name, baseline: passThrough, measured: measured('before build', 'ms', before), result, goal: `≤ ${GOAL_REFUSED_RATIO.toFixed(1)}× pass-through`, pass: (result.value as number) <= GOAL_REFUSED_RATIO };
}
