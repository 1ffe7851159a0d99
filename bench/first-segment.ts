/**
 * Row 2, time to first segment: the installed shim → a loopback worker → ffmpeg, until the first
 * segment is where Plex looks for it, against the same translated ffmpeg command run directly,
 * until ffmpeg lists its first finished segment. 1080p H.264 → 720p HLS, 1 s segments. Each run
 * is stopped (SIGTERM) once its first segment is out. 2b: the same with the health from
 * plexbeam-server's fresh fleet cache (its monitor, in-process, every 2 s), as an installed server has it.
 * 2c: as 2b, but each play is of a file the worker has never probed (a fresh copy of the clip):
 * the first play of a file, where 2 and 2b replay one (as a seek's restart does).
 */
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { createFleetMonitor } from '../server/monitor.ts';
import { FFMPEG, directCommand, listsASegment, workerCommand, type WorkerCommand } from './direct-ffmpeg.ts';
import { NODE_PATH, type Fixture } from './fixture.ts';
import { FIRST_SEGMENT, plexHlsArgv } from './plex-argv.ts';
import { procCpu, startTimed, stopChild, until } from './processes.ts';
import type { LogLine } from './worker-process.ts';
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

/** Where one play's time went, in ms after the shim's exec (from the worker's log line times), and the probe's own ms. */
interface Phases {
  accepted: number[];
  probe: number[];
  /** Inputs whose facts came from the worker's probe cache, and all inputs. */
  cached: number;
  inputs: number;
  ffmpeg: number[];
  /** From ffmpeg's start to the first segment where Plex looks for it. */
  toSegment: number[];
  /** CPU ms, exec to first segment, that PlexBeam's processes took from the 2 CPUs ffmpeg encodes on: the worker's own, the shim's (the cartridge). */
  workerCpu: number[];
  shimCpu: number[];
}

const newPhases = (): Phases => ({ accepted: [], probe: [], cached: 0, inputs: 0, ffmpeg: [], toSegment: [], workerCpu: [], shimCpu: [] });

async function measureRows(fx: Fixture, runs: number, worker: Awaited<ReturnType<Fixture['worker']>>['worker'], config: string, cachedConfig: string): Promise<BenchRow[]> {
  let session = 0;
  let command: WorkerCommand | undefined;
  const throughShim = async (phases: Phases, configPath = config, input = fx.clip) => {
    session += 1;
    const cwd = fx.sessionDir('first-remote');
    const workerBefore = procCpu(worker.pid).self;
    const run = startTimed(fx.shim, plexHlsArgv({ input, pmsUrl: fx.pms.url, session: `first-${session}` }), { env: fx.plexEnv(configPath), cwd });
    try {
      const at = await until(() => existsSync(join(cwd, FIRST_SEGMENT)) || run.child.exitCode !== null, 'first segment through the worker');
      phases.workerCpu.push((procCpu(worker.pid).self - workerBefore) * 1000);
      if (run.child.pid !== undefined && run.child.exitCode === null) phases.shimCpu.push(procCpu(run.child.pid).self * 1000);
      if (!existsSync(join(cwd, FIRST_SEGMENT))) throw new Error(`the shim ended before a segment: ${run.stderr().slice(-2000)}`);
      command ??= await workerCommand(worker, cwd);
      const started = await worker.waitForLog((l) => l.msg === 'job started' && l.cwd === cwd);
      const accepted = worker.logs.find((l) => l.msg === 'job accepted' && l.job_id === started.job_id);
      // The worker's own clock (pino's `time`, epoch ms) against the exec's: not when the log was read.
      const execAt = performance.timeOrigin + run.startedAt;
      const startedMs = timeOf(started) - execAt;
      phases.ffmpeg.push(startedMs);
      phases.toSegment.push(at - run.startedAt - startedMs);
      if (accepted !== undefined) phases.accepted.push(timeOf(accepted) - execAt);
      const probe = started.probe as { cached: number; probed: number; ms: number } | undefined;
      if (probe !== undefined) {
        phases.probe.push(probe.ms);
        phases.cached += probe.cached;
        phases.inputs += probe.cached + probe.probed;
      }
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
  // A file the worker has never seen: a copy has its own inode, so no probe cache knows it.
  const coldPlay = async (phases: Phases, i: number) => {
    const copy = join(fx.mediaDir, `first-segment-cold-${i}.mkv`);
    copyFileSync(fx.clip, copy);
    try {
      return await throughShim(phases, cachedConfig, copy);
    } finally {
      rmSync(copy, { force: true });
    }
  };
  // Untimed: the first job learns the worker's command, and warms the caches both sides use.
  await throughShim(newPhases());
  await direct();
  const samples = { direct: [] as number[], remote: [] as number[], cached: [] as number[], cold: [] as number[] };
  const phases = { remote: newPhases(), cached: newPhases(), cold: newPhases() };
  for (let i = 0; i < runs; i += 1) {
    samples.direct.push(await direct());
    samples.remote.push(await throughShim(phases.remote));
    samples.cached.push(await throughShim(phases.cached, cachedConfig));
    samples.cold.push(await coldPlay(phases.cold, i));
  }
  const directMs = quantile(samples.direct, 0.5);
  const row = (id: string, name: string, values: number[], p: Phases, what: string): BenchRow => {
    const result = ratioResult(pairedRatios(values, samples.direct), 'direct');
    return {
      id, name,
      baseline: measured('ffmpeg direct', 'ms', samples.direct),
      measured: measured('through worker', 'ms', values),
      result,
      goal: `≤ ${GOAL_RATIO.toFixed(2)}× direct`,
      pass: (result.value as number) <= GOAL_RATIO,
      note: `${what}: after the shim's exec the job was accepted at ${median(p.accepted)} ms and its ffmpeg started at ${median(p.ffmpeg)} ms, `
        + `of which the worker's ffprobe took ${median(p.probe)} ms (${p.cached} of ${p.inputs} inputs from its probe cache); `
        + `from its start ffmpeg took ${median(p.toSegment)} ms to the first segment in place (direct: ${directMs.toFixed(0)} ms to its list), `
        + `while the worker used ${median(p.workerCpu)} and the shim (cartridge) ${median(p.shimCpu)} CPU-ms of the 2 CPUs `
        + '(medians, worker log times; segments are published on a change of ffmpeg\'s list, a 50 ms poll where the folder cannot be watched).',
    };
  };
  return [
    row('2', 'Time to first segment: shim → loopback worker → ffmpeg (1080p → 720p HLS)', samples.remote, phases.remote, 'first segment, health asked live'),
    row('2b', 'Time to first segment, health from the fresh fleet cache: shim → loopback worker → ffmpeg', samples.cached, phases.cached,
      "first segment, health from plexbeam-server's cache (its monitor in-process, every 2 s)"),
    row('2c', 'Time to first segment, first play of a file (worker probe cache cold), health from the cache', samples.cold, phases.cold,
      'first play of a file (a fresh copy of the clip each run)'),
  ];
}

/** A log line's time in epoch ms (the worker logs ISO times, to the ms). */
function timeOf(line: LogLine): number {
  return typeof line.time === 'number' ? line.time : Date.parse(String(line.time));
}

function median(values: readonly number[]): string {
  return values.length === 0 ? '?' : quantile(values, 0.5).toFixed(0);
}
