/**
 * Row 2, time to first segment: the installed shim → a loopback worker → ffmpeg, until the first
 * segment is where Plex looks for it, against the same translated ffmpeg command run directly,
 * until ffmpeg lists its first finished segment. 1080p H.264 → 720p HLS, 1 s segments. Each run
 * is stopped (SIGTERM) once its first segment is out. 2b: the same with the health from
 * plexbeam-server's fresh fleet cache (its monitor, in-process, every 2 s), as an installed server has it.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import { createFleetMonitor } from '../server/monitor.ts';
import { FFMPEG, directCommand, listsASegment, workerCommand, type WorkerCommand } from './direct-ffmpeg.ts';
import { NODE_PATH, type Fixture } from './fixture.ts';
import { FIRST_SEGMENT, plexHlsArgv } from './plex-argv.ts';
import { startTimed, stopChild, until } from './processes.ts';
import { pairedRatios, quantile } from './stats.ts';
import { measured, ratioResult, type BenchRow, type RowOptions } from './types.ts';

const GOAL_RATIO = 1.05;

/** Measures row 2. */
export async function benchFirstSegment(fx: Fixture, opts: RowOptions): Promise<BenchRow[]> {
  const runs = opts.quick ? 2 : 5;
  const { worker, config } = await fx.worker();
  const fleetFile = join(dirname(config), 'first-segment-fleet.json');
  const monitor = createFleetMonitor({ workers: [{ url: worker.url, apiKey: worker.apiKey, name: 'bench-worker' }], fleetFile, intervalMs: 2000, timeoutMs: 1500, log: pino({ level: 'silent' }) });
  await monitor.start();
  const cachedConfig = fx.config('remote-cached', { workers: [{ url: worker.url, apiKey: worker.apiKey, name: 'bench-worker' }], server: { fleetFile } });
  try {
    return await measureRows(fx, runs, worker, config, cachedConfig);
  } finally {
    await monitor.close();
  }
}

async function measureRows(fx: Fixture, runs: number, worker: Awaited<ReturnType<Fixture['worker']>>['worker'], config: string, cachedConfig: string): Promise<BenchRow[]> {
  let session = 0;
  let command: WorkerCommand | undefined;
  // Where the time goes through the worker: job accepted, ffmpeg started (from the worker's log).
  const phases = { accepted: [] as number[], ffmpeg: [] as number[] };
  const throughShim = async (configPath = config) => {
    session += 1;
    const cwd = fx.sessionDir('first-remote');
    const run = startTimed(fx.shim, plexHlsArgv({ input: fx.clip, pmsUrl: fx.pms.url, session: `first-${session}` }), { env: fx.plexEnv(configPath), cwd });
    try {
      const at = await until(() => existsSync(join(cwd, FIRST_SEGMENT)) || run.child.exitCode !== null, 'first segment through the worker');
      if (!existsSync(join(cwd, FIRST_SEGMENT))) throw new Error(`the shim ended before a segment: ${run.stderr().slice(-2000)}`);
      command ??= await workerCommand(worker, cwd);
      const started = await worker.waitForLog((l) => l.msg === 'job started' && l.cwd === cwd);
      const accepted = worker.logs.find((l) => l.msg === 'job accepted' && l.job_id === started.job_id);
      phases.ffmpeg.push(started.bench_at - run.startedAt);
      if (accepted !== undefined) phases.accepted.push(accepted.bench_at - run.startedAt);
      return at - run.startedAt;
    } finally {
      await stopChild(run);
    }
  };
  const direct = async () => {
    const cmd = directCommand(command as WorkerCommand, fx.sessionDir('first-direct'));
    if (cmd.listPath === null) throw new Error('the translated command has no segment list');
    const listPath = cmd.listPath;
    const run = startTimed(FFMPEG, cmd.args, { env: { PATH: NODE_PATH }, cwd: cmd.cwd });
    try {
      const at = await until(() => listsASegment(listPath) || run.child.exitCode !== null, 'first segment from ffmpeg');
      if (!listsASegment(listPath)) throw new Error(`ffmpeg ended before a segment: ${run.stderr().slice(-2000)}`);
      return at - run.startedAt;
    } finally {
      await stopChild(run);
    }
  };
  // Untimed: the first job learns the worker's command, and warms the caches both sides use.
  await throughShim();
  await direct();
  phases.accepted.length = 0;
  phases.ffmpeg.length = 0;
  const samples = { direct: [] as number[], remote: [] as number[], cached: [] as number[] };
  const cachedPhases = { accepted: [] as number[], ffmpeg: [] as number[] };
  for (let i = 0; i < runs; i += 1) {
    samples.direct.push(await direct());
    samples.remote.push(await throughShim());
    // The cached run's phases are kept apart from the live one's.
    const [accepted, ffmpeg] = [phases.accepted.length, phases.ffmpeg.length];
    samples.cached.push(await throughShim(cachedConfig));
    cachedPhases.accepted.push(...phases.accepted.splice(accepted));
    cachedPhases.ffmpeg.push(...phases.ffmpeg.splice(ffmpeg));
  }
  const result = ratioResult(pairedRatios(samples.remote, samples.direct), 'direct');
  const cached = ratioResult(pairedRatios(samples.cached, samples.direct), 'direct');
  return [{
    id: '2',
    name: 'Time to first segment: shim → loopback worker → ffmpeg (1080p → 720p HLS)',
    baseline: measured('ffmpeg direct', 'ms', samples.direct),
    measured: measured('through worker', 'ms', samples.remote),
    result,
    goal: `≤ ${GOAL_RATIO.toFixed(2)}× direct`,
    pass: (result.value as number) <= GOAL_RATIO,
    note: `first segment: through the worker, the job was accepted ${median(phases.accepted)} ms and its ffmpeg started ${median(phases.ffmpeg)} ms after the shim's exec (medians, from the worker's log as read); `
      + 'before ffmpeg the worker probes the input (ffprobe), and it publishes finished segments where Plex looks on a 50 ms poll.',
  }, {
    id: '2b',
    name: 'Time to first segment, health from the fresh fleet cache: shim → loopback worker → ffmpeg',
    baseline: measured('ffmpeg direct', 'ms', samples.direct),
    measured: measured('through worker', 'ms', samples.cached),
    result: cached,
    goal: `≤ ${GOAL_RATIO.toFixed(2)}× direct`,
    pass: (cached.value as number) <= GOAL_RATIO,
    note: `first segment, from the cache: the job was accepted ${median(cachedPhases.accepted)} ms and its ffmpeg started ${median(cachedPhases.ffmpeg)} ms after the shim's exec (medians); plexbeam-server's monitor (in-process, every 2 s) keeps the cache fresh.`,
  }];
}

function median(values: readonly number[]): string {
  return values.length === 0 ? '?' : quantile(values, 0.5).toFixed(0);
}
