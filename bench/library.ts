/**
 * Row 13, library re-encode on the loopback worker. 13a: the worker's throughput (× real time,
 * from `POST /library/jobs` to its `completed` log line) re-encoding a 640×360 10 s H.264/MKV clip
 * (two audio tracks, a subtitle, an attachment, chapters) to AV1 with SVT-AV1, against the same
 * ffmpeg command (the argv the worker logged) run directly. 13b: live play first, the time to
 * first segment of row 2's Plex argv through the shim while a library job runs (it is paused at
 * once), against the same with the worker idle; interleaved.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { libraryTempName } from '../core/wire/library.ts';
import { makeLibraryClip } from '../test/worker/library-media.ts';
import { FFMPEG } from './direct-ffmpeg.ts';
import { NODE_PATH, type Fixture } from './fixture.ts';
import { FIRST_SEGMENT, plexHlsArgv } from './plex-argv.ts';
import { msToExit, startTimed, stopChild, until } from './processes.ts';
import { pairedRatios } from './stats.ts';
import { measured, ratioResult, type BenchRow, type RowOptions } from './types.ts';
import type { WorkerProcess } from './worker-process.ts';

const THROUGHPUT_GOAL = 0.95;
const FIRST_SEGMENT_GOAL = 1.05;
const CLIP_S = 10;

/** Measures rows 13a and 13b. */
export async function benchLibrary(fx: Fixture, opts: RowOptions): Promise<BenchRow[]> {
  const { worker, config } = await fx.worker();
  const clip = await makeLibraryClip(join(fx.mediaDir, 'Library Film.mkv'), 'h264-mkv', { seconds: CLIP_S, size: '640x360' });
  // A longer one for 13b, so a library job is still running for every busy sample.
  const long = await makeLibraryClip(join(fx.mediaDir, 'Library Long.mkv'), 'h264-mkv', { seconds: 120, size: '640x360' });
  let tag = 0;
  const submit = async (input: string, name: string) => {
    tag += 1;
    const output = join(fx.mediaDir, libraryTempName(name, `bench${tag}`));
    const { status, json } = await worker.request('POST', '/library/jobs', { input, output, codec: 'av1' });
    if (status !== 201) throw new Error(`library job refused: ${JSON.stringify(json)}`);
    return { id: json.id as string, output };
  };

  // Untimed: the first job pays the encoder's one-time test encode.
  const warm = await submit(clip, 'Library Film.mkv');
  await worker.waitForLog((l) => l.library_job === warm.id && /^library job (completed|failed|cancelled)/.test(l.msg ?? ''), 600_000);
  rmSync(warm.output, { force: true });
  const runs = opts.quick ? 1 : 3;
  const samples = { direct: [] as number[], worker: [] as number[] };
  let argv: string[] | undefined;
  let nice: string[] | undefined;
  for (let i = 0; i < runs; i += 1) {
    opts.say(`row 13a: library re-encode ${i + 1}/${runs}`);
    const started = performance.now();
    const job = await submit(clip, 'Library Film.mkv');
    const end = await worker.waitForLog((l) => l.library_job === job.id && /^library job (completed|failed|cancelled)/.test(l.msg ?? ''), 600_000);
    if (end.msg !== 'library job completed') throw new Error(`the library job did not complete: ${end.msg}`);
    samples.worker.push(CLIP_S / ((end.bench_at - started) / 1000));
    const startedLine = worker.logs.find((l) => l.library_job === job.id && l.msg === 'library job started');
    argv ??= startedLine?.argv as string[] | undefined;
    // The same command, at the same priority (the worker runs library ffmpeg at nice 19).
    nice ??= startedLine?.nice === 19 ? ['-n', '19'] : ['-n', '0'];
    rmSync(job.output, { force: true });
    if (argv === undefined) throw new Error('the worker logged no argv');
    const direct = join(fx.mediaDir, 'direct-library.mkv');
    // Without capabilities, as in the worker's sandbox: run by root with them, SVT-AV1 puts its threads on SCHED_FIFO.
    const command = ['nice', ...(nice ?? []), FFMPEG, '-nostdin', ...argv.slice(0, -1), `file:${direct}`];
    const ms = process.getuid?.() === 0
      ? await msToExit('setpriv', ['--inh-caps=-all', '--bounding-set=-all', ...command], { env: { PATH: NODE_PATH } })
      : await msToExit(command[0] as string, command.slice(1), { env: { PATH: NODE_PATH } });
    samples.direct.push(CLIP_S / (ms / 1000));
    rmSync(direct, { force: true });
  }
  const throughput = ratioResult(pairedRatios(samples.worker, samples.direct), 'direct');

  // 13b: idle and busy samples interleaved; a busy sample first makes sure a library job runs.
  const live = opts.quick ? 2 : 5;
  const first = { idle: [] as number[], busy: [] as number[] };
  let session = 0;
  const firstSegment = async () => {
    session += 1;
    const cwd = fx.sessionDir('library-live');
    const run = startTimed(fx.shim, plexHlsArgv({ input: fx.clip, pmsUrl: fx.pms.url, session: `library-${session}` }), { env: fx.plexEnv(config), cwd });
    try {
      const at = await until(() => existsSync(join(cwd, FIRST_SEGMENT)) || run.child.exitCode !== null, 'first segment through the worker');
      if (!existsSync(join(cwd, FIRST_SEGMENT))) throw new Error(`the shim ended before a segment: ${run.stderr().slice(-2000)}`);
      return at - run.startedAt;
    } finally {
      await stopChild(run);
      await waitIdle(worker);
    }
  };
  let busyJob: { id: string; output: string } | undefined;
  const ensureRunning = async () => {
    let job = busyJob;
    const state = job === undefined ? null : (await worker.request('GET', `/library/jobs/${job.id}`)).json.state;
    if (job === undefined || state !== 'running') {
      if (job !== undefined) rmSync(job.output, { force: true });
      job = busyJob = await submit(long, 'Library Long.mkv');
    }
    const id = job.id;
    await worker.waitForLog((l) => l.library_job === id && l.msg === 'library job started');
    // Encoding, not probing: the live job meets a busy ffmpeg.
    await until(() => worker.logs.some((l) => l.library_job === id && l.msg === 'library job started' && performance.now() - l.bench_at > 1000), 'library job running', 30_000, 50);
  };
  await firstSegment(); // untimed warm-up
  for (let i = 0; i < live; i += 1) {
    opts.say(`row 13b: first segment idle/busy ${i + 1}/${live}`);
    first.idle.push(await firstSegment());
    await ensureRunning();
    first.busy.push(await firstSegment());
    if (busyJob !== undefined) await worker.request('DELETE', `/library/jobs/${busyJob.id}`);
    busyJob = undefined;
  }
  const ttfs = ratioResult(pairedRatios(first.busy, first.idle), 'idle');
  return [
    {
      id: '13a',
      name: 'Library re-encode throughput: 640×360 10 s H.264 → AV1 (SVT-AV1), all streams and chapters kept',
      baseline: measured('ffmpeg direct', '×', samples.direct),
      measured: measured('worker /library/jobs', '×', samples.worker),
      result: throughput,
      goal: `≥ ${THROUGHPUT_GOAL.toFixed(2)}× direct`,
      pass: (throughput.value as number) >= THROUGHPUT_GOAL,
      note: '× real time (clip seconds per wall second); the worker\'s figure counts the request, its confined ffprobe and ffmpeg, and its log line; both run at nice 19 and without capabilities, as the worker runs library ffmpeg (root with CAP_SYS_NICE, SVT-AV1 1.4 runs its threads SCHED_FIFO)',
    },
    {
      id: '13b',
      name: 'Live play first: time to first segment while a library job runs (paused at once) vs an idle worker',
      baseline: measured('idle worker', 'ms', first.idle),
      measured: measured('library job running', 'ms', first.busy),
      result: ttfs,
      goal: `≤ ${FIRST_SEGMENT_GOAL.toFixed(2)}× idle`,
      pass: (ttfs.value as number) <= FIRST_SEGMENT_GOAL,
    },
  ];
}

/** Waits until the worker has no live job left (the stopped shim's job is cancelled). */
async function waitIdle(worker: WorkerProcess): Promise<void> {
  for (const deadline = performance.now() + 30_000; performance.now() < deadline; ) {
    const { json } = await worker.request('GET', '/health');
    if (json.jobs === undefined || (json.jobs.running === 0 && json.jobs.queued === 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
