/**
 * Row 4, worker overhead: N whole transcodes at once through the worker's API (as N cartridges
 * would submit them), against the same N translated ffmpeg commands run directly at once. The
 * throughput ratio is direct wall time / worker wall time (1.00: the worker costs nothing).
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { FFMPEG, directCommand, workerCommand, type WorkerCommand } from './direct-ffmpeg.ts';
import { NODE_PATH, type Fixture } from './fixture.ts';
import { plexHlsArgv } from './plex-argv.ts';
import { procCpu, startTimed } from './processes.ts';
import { pairedRatios, quantile } from './stats.ts';
import { measured, ratioResult, type BenchRow, type RowOptions } from './types.ts';
import type { WorkerProcess } from './worker-process.ts';

const GOAL_RATIO = 0.97;
/** The 10 s clip, in seconds of media per job. */
const CLIP_SECONDS = 10;

/** Measures row 4 with N = the CPU count (at least 2, at most the worker's maxJobs of 4). */
export async function benchThroughput(fx: Fixture, opts: RowOptions): Promise<BenchRow[]> {
  const n = Math.min(4, Math.max(2, availableParallelism()));
  const runs = opts.quick ? 1 : 3;
  const { worker } = await fx.worker();
  let session = 0;
  let command: WorkerCommand | undefined;
  // The worker's own CPU (its Node process) and its children's (ffprobe, ffmpeg), per round.
  const cpu = { worker: [] as number[], children: [] as number[] };
  const throughWorker = async () => {
    const before = procCpu(worker.pid);
    const started = performance.now();
    const jobs = await Promise.all(Array.from({ length: n }, async () => {
      session += 1;
      const cwd = fx.sessionDir('throughput-worker');
      const argv = plexHlsArgv({ input: fx.clip, pmsUrl: fx.pms.url, session: `throughput-${session}` });
      const res = await worker.request('POST', '/transcode', { session_id: `bench-throughput-${session}`, argv, env: { PATH: '/usr/bin:/bin', LANG: 'en_US.UTF-8' }, cwd });
      if (res.status !== 202) throw new Error(`the worker refused the job: HTTP ${res.status} ${JSON.stringify(res.json)}`);
      return { id: (res.json as { job_id: string }).job_id, cwd };
    }));
    const ends = await Promise.all(jobs.map((job) => jobEnd(worker, job.id)));
    const elapsed = Math.max(...ends) - started;
    const after = procCpu(worker.pid);
    cpu.worker.push(after.self - before.self);
    cpu.children.push(after.children - before.children);
    command ??= await workerCommand(worker, jobs[0]?.cwd as string);
    return elapsed;
  };
  const direct = async () => {
    const runsNow = Array.from({ length: n }, () => {
      const cmd = directCommand(command as WorkerCommand, fx.sessionDir('throughput-direct'));
      return startTimed(FFMPEG, cmd.args, { env: { PATH: NODE_PATH }, cwd: cmd.cwd });
    });
    const ends = await Promise.all(runsNow.map(async (run) => {
      const end = await run.exited;
      if (end.code !== 0) throw new Error(`ffmpeg failed (exit ${end.code ?? end.signal}): ${run.stderr().slice(-2000)}`);
      return end.at;
    }));
    return Math.max(...ends) - Math.min(...runsNow.map((r) => r.startedAt));
  };
  const samples = { direct: [] as number[], worker: [] as number[] };
  // The first worker round also learns the command; its time counts like any other.
  for (let i = 0; i < runs; i += 1) {
    samples.worker.push(await throughWorker());
    samples.direct.push(await direct());
  }
  const toS = (ms: number[]) => ms.map((v) => v / 1000);
  const result = ratioResult(pairedRatios(samples.direct, samples.worker), 'direct throughput');
  const mediaS = n * CLIP_SECONDS;
  return [{
    id: '4',
    name: `Worker overhead: ${n} parallel 1080p → 720p jobs (${mediaS} s of media), aggregate throughput`,
    baseline: measured(`${n}× ffmpeg direct`, 's', toS(samples.direct)),
    measured: measured(`${n} jobs via worker`, 's', toS(samples.worker)),
    result,
    goal: `≥ ${GOAL_RATIO.toFixed(2)}× direct`,
    pass: (result.value as number) >= GOAL_RATIO,
    note: `worker overhead: per round the worker's own process used ${quantile(cpu.worker, 0.5).toFixed(2)} CPU-s and its children (ffprobe, ffmpeg) ${quantile(cpu.children, 0.5).toFixed(2)} CPU-s (medians); `
      + `on ${availableParallelism()} CPUs already filled by ${n} ffmpeg, every CPU-second PlexBeam spends comes out of the transcodes.`,
  }];
}

/** performance.now() when the worker's log said job `id` ended; a failed or cancelled job is an error. */
async function jobEnd(worker: WorkerProcess, id: string): Promise<number> {
  const line = await worker.waitForLog((l) => l.job_id === id && /^job (completed|failed|cancelled)/.test(l.msg ?? ''), 300_000);
  if (line.msg !== 'job completed') throw new Error(`worker job ${id}: ${line.msg}`);
  return line.bench_at;
}
