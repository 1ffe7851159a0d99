/**
 * Row 12, stream mode (`workers[].storage: "stream"`): 12a a ≥ 200 MB file remuxed (`-c copy`)
 * by the loopback worker through stream mode (input read through the cartridge's code, the
 * output shipped back and renamed into place) against the same ffmpeg command reading and writing
 * the file locally; 12b time to first segment through the shim, the same Plex argv, stream vs
 * shared storage; 12c the CPU seconds of the Plex side (the shim and all it starts) per minute of
 * media transcoded in stream mode, against the same transcode run locally, measured as row 9
 * (bench/offload.ts) measures shared storage; 12d the 12a remux over an emulated gigabit LAN
 * (bench/stream-lan.ts). 12a drives the cartridge's own remote code in this
 * process (a remux is routed to Plex's transcoder by the shim, so the shim cannot be used for it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FFMPEG, directCommand, workerCommand } from './direct-ffmpeg.ts';
import { NODE_PATH, type Fixture } from './fixture.ts';
import { FIRST_SEGMENT, plexHlsArgv } from './plex-argv.ts';
import { startTimed, stopChild, treeCpu, until } from './processes.ts';
import { pairedRatios, summarize } from './stats.ts';
import { streamedRemux } from './streamed-remux.ts';
import { benchStreamLan } from './stream-lan.ts';
import { measured, ratioResult, type BenchRow, type RowOptions } from './types.ts';

const READ_GOAL = 0.9;
const FIRST_GOAL = 1.1;
const CPU_GOAL_PERCENT = 3;
/** Times the fixture's 10 s clip is repeated for 12c (as row 9's long run). */
const CPU_LOOPS = 3;

/** A file of at least `bytes`: the fixture's clip looped, stream copy. */
export function bigFile(fx: Fixture, bytes: number): string {
  const out = join(fx.mediaDir, `stream-${bytes}.mkv`);
  if (existsSync(out) && statSync(out).size >= bytes) return out;
  const loops = Math.ceil(bytes / statSync(fx.clip).size);
  const made = spawnSync(FFMPEG, ['-v', 'error', '-y', '-stream_loop', String(loops), '-i', fx.clip, '-map', '0', '-c', 'copy', out]);
  if (made.status !== 0) throw new Error(`could not make the ${bytes}-byte file: ${String(made.stderr)}`);
  return out;
}

/** The video and audio of the fixture's clip, `loops` times over (stream copy); returns its path and duration in seconds. */
function loopedClip(fx: Fixture, loops: number): { path: string; seconds: number } {
  const path = join(fx.mediaDir, `stream-cpu-x${loops}.mkv`);
  if (!existsSync(path)) {
    const made = spawnSync(FFMPEG, ['-nostdin', '-v', 'error', '-y', '-stream_loop', String(loops - 1), '-i', fx.clip, '-map', '0:v:0', '-map', '0:a:0', '-c', 'copy', path], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`could not make the ${loops}× clip: ${made.stderr}`);
  }
  const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path], { encoding: 'utf8' });
  const seconds = Number(probe.stdout.trim());
  if (!(seconds > 0)) throw new Error(`could not read the duration of ${path}: ${probe.stderr}`);
  return { path, seconds };
}

/** Measures rows 12a, 12b and 12c. */
export async function benchStreamMode(fx: Fixture, opts: RowOptions): Promise<BenchRow[]> {
  const { worker, config: sharedConfig } = await fx.worker();
  const streamConfig = fx.config('stream', { workers: [{ url: worker.url, apiKey: worker.apiKey, name: 'bench-worker', storage: 'stream' }] });
  const runs = opts.quick ? 2 : 5;
  const bytes = (opts.quick ? 50 : 200) * 1_000_000;
  opts.say(`row 12: making a ${bytes / 1e6} MB file`);
  const input = bigFile(fx, bytes);
  const remux = (cwd: string) => ['-i', input, '-map', '0', '-c', 'copy', '-f', 'matroska', join(cwd, 'out.mkv')];
  const local = async () => {
    const cwd = fx.sessionDir('stream-local');
    const began = performance.now();
    const r = spawnSync(FFMPEG, ['-v', 'error', '-nostdin', '-y', ...remux(cwd)], { env: { PATH: NODE_PATH }, cwd });
    if (r.status !== 0) throw new Error(`local remux failed: ${String(r.stderr)}`);
    const ms = performance.now() - began;
    rmSync(cwd, { recursive: true, force: true });
    return ms;
  };
  const streamed = async () => {
    const cwd = fx.sessionDir('stream-remote');
    const ms = await streamedRemux(worker.url, worker.apiKey, remux(cwd), cwd);
    const size = statSync(join(cwd, 'out.mkv')).size;
    if (size < bytes * 0.9) throw new Error(`the shipped output has ${size} bytes`);
    rmSync(cwd, { recursive: true, force: true });
    return ms;
  };
  await streamed();
  const read = { local: [] as number[], stream: [] as number[] };
  for (let i = 0; i < runs; i += 1) {
    read.local.push(await local());
    read.stream.push(await streamed());
  }
  // Throughput ratio: local time / stream time (1.0 = as fast as local).
  const readRatios = pairedRatios(read.local, read.stream);
  const lan = await benchStreamLan(fx, opts, input, runs);

  const firstSegment = async (config: string) => {
    const cwd = fx.sessionDir('stream-first');
    const run = startTimed(fx.shim, plexHlsArgv({ input: fx.clip, pmsUrl: fx.pms.url, session: `sf-${Date.now()}` }), { env: fx.plexEnv(config), cwd });
    try {
      const at = await until(() => existsSync(join(cwd, FIRST_SEGMENT)) || run.child.exitCode !== null, 'first segment');
      if (!existsSync(join(cwd, FIRST_SEGMENT))) throw new Error(`the shim ended before a segment: ${run.stderr().slice(-2000)}`);
      return at - run.startedAt;
    } finally {
      await stopChild(run);
    }
  };
  await firstSegment(streamConfig);
  const first = { shared: [] as number[], stream: [] as number[] };
  for (let i = 0; i < runs; i += 1) {
    first.shared.push(await firstSegment(sharedConfig));
    first.stream.push(await firstSegment(streamConfig));
  }
  const firstResult = ratioResult(pairedRatios(first.stream, first.shared), 'shared');

  // 12c: a whole 30 s transcode through the shim in stream mode, start-up included; the local
  // baseline is the worker's command for the same argv on shared storage, run here directly.
  const long = loopedClip(fx, CPU_LOOPS);
  const cpuRuns = opts.quick ? 1 : 2;
  let session = 0;
  const shim = async (config: string, cwd: string) => {
    session += 1;
    const run = await treeCpu(fx.shim, plexHlsArgv({ input: long.path, pmsUrl: fx.pms.url, session: `stream-cpu-${session}` }), { env: fx.plexEnv(config), cwd });
    if (run.code !== 0) throw new Error(`the transcode failed (exit ${run.code}): ${run.stderr.slice(-2000)}`);
    return run;
  };
  const sharedCwd = fx.sessionDir('stream-cpu-shared');
  await shim(sharedConfig, sharedCwd);
  const command = await workerCommand(worker, sharedCwd);
  const cpu = { stream: [] as number[], local: [] as number[] };
  for (let i = 0; i < cpuRuns; i += 1) {
    const remote = await shim(streamConfig, fx.sessionDir('stream-cpu-remote'));
    const cmd = directCommand(command, fx.sessionDir('stream-cpu-local'));
    const local = await treeCpu(FFMPEG, cmd.args, { env: { PATH: NODE_PATH }, cwd: cmd.cwd });
    if (local.code !== 0) throw new Error(`the local transcode failed (exit ${local.code}): ${local.stderr.slice(-2000)}`);
    opts.say(`  stream CPU: Plex side ${remote.cpuSeconds.toFixed(2)} CPU-s in ${(remote.wallMs / 1000).toFixed(1)} s; local ${local.cpuSeconds.toFixed(2)} CPU-s in ${(local.wallMs / 1000).toFixed(1)} s`);
    cpu.stream.push(remote.cpuSeconds / (long.seconds / 60));
    cpu.local.push(local.cpuSeconds / (long.seconds / 60));
  }
  const percent = summarize(pairedRatios(cpu.stream, cpu.local).map((r) => r * 100));
  const readResult = ratioResult(readRatios, 'local throughput');
  return [
    {
      id: '12a',
      name: `Stream mode read throughput: ${bytes / 1e6} MB remuxed (-c copy), input through the cartridge, output shipped back`,
      baseline: measured('ffmpeg local', 'ms', read.local),
      measured: measured('through stream mode', 'ms', read.stream),
      result: readResult,
      goal: `≥ ${READ_GOAL.toFixed(1)}× local throughput`,
      pass: (readResult.value as number) >= READ_GOAL,
      note: `loopback worker; includes the job's ffprobe and the output's fetch and rename on the Plex side`,
    },
    lan,
    {
      id: '12b',
      name: 'Time to first segment, stream vs shared storage (same Plex argv through the shim)',
      baseline: measured('shared', 'ms', first.shared),
      measured: measured('stream', 'ms', first.stream),
      result: firstResult,
      goal: `≤ ${FIRST_GOAL.toFixed(1)}× shared`,
      pass: (firstResult.value as number) <= FIRST_GOAL,
    },
    {
      id: '12c',
      name: `Stream mode: Plex-side CPU per minute of media, whole ${long.seconds.toFixed(0)} s transcode (1080p → 720p HLS), input and segments over the cartridge`,
      baseline: measured('local ffmpeg', 'CPU-s/min', cpu.local),
      measured: measured('Plex side, stream mode', 'CPU-s/min', cpu.stream),
      result: { text: `${percent.median.toFixed(2)} % of local`, value: percent.median, spread: percent.runs > 1 ? `${percent.min.toFixed(2)}–${percent.max.toFixed(2)}` : null },
      goal: `≤ ${CPU_GOAL_PERCENT} % of local`,
      pass: percent.median <= CPU_GOAL_PERCENT,
      note: 'as row 9: user + system time of the process tree (the shim, the cartridge and all it started), start-up included; the baseline is the worker\'s own command for the argv on shared storage, run locally',
    },
  ];
}
