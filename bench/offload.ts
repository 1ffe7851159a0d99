/**
 * Row 9, offload: CPU seconds spent on the Plex machine's side (the shim and everything it
 * starts) per minute of media transcoded remotely, against the CPU seconds the same transcode
 * costs run locally (the worker's translated ffmpeg command). Why PlexBeam exists.
 * Each run transcodes the 10 s clip and a 30 s one (the clip three times over), both ways:
 * 9a is the whole 30 s invocation, start-up included; 9b the cost of each further minute,
 * (30 s − 10 s), which is what a long play pays once the cartridge is up.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { FFMPEG, directCommand, workerCommand } from './direct-ffmpeg.ts';
import { NODE_PATH, type Fixture } from './fixture.ts';
import { plexHlsArgv } from './plex-argv.ts';
import { treeCpu } from './processes.ts';
import { pairedRatios, summarize } from './stats.ts';
import { measured, type BenchRow, type RowOptions } from './types.ts';

const GOAL_PERCENT = 2;
/** Times the 10 s clip is repeated for the long run. */
const LOOPS = 3;

/** CPU seconds of one transcode, through the worker (Plex side only) and locally. */
interface Pair {
  remote: number;
  local: number;
}

/** Measures rows 9a and 9b. */
export async function benchOffload(fx: Fixture, opts: RowOptions): Promise<BenchRow[]> {
  const runs = opts.quick ? 1 : 2;
  const { worker, config } = await fx.worker();
  // Both made the same way (video and audio only), so they differ in length alone.
  const short = join(fx.mediaDir, 'h264-1080p-x1.mkv');
  const long = join(fx.mediaDir, `h264-1080p-x${LOOPS}.mkv`);
  const shortS = makeClip(fx.clip, 1, short);
  const longS = makeClip(fx.clip, LOOPS, long);
  let session = 0;
  const transcode = async (input: string): Promise<Pair> => {
    session += 1;
    const cwd = fx.sessionDir('offload-remote');
    const remote = await treeCpu(fx.shim, plexHlsArgv({ input, pmsUrl: fx.pms.url, session: `offload-${session}` }), { env: fx.plexEnv(config), cwd });
    if (remote.code !== 0) throw new Error(`the remote transcode failed (exit ${remote.code}): ${remote.stderr.slice(-2000)}`);
    const cmd = directCommand(await workerCommand(worker, cwd), fx.sessionDir('offload-local'));
    const local = await treeCpu(FFMPEG, cmd.args, { env: { PATH: NODE_PATH }, cwd: cmd.cwd });
    if (local.code !== 0) throw new Error(`the local transcode failed (exit ${local.code}): ${local.stderr.slice(-2000)}`);
    opts.say(`  offload: ${input}: Plex side ${remote.cpuSeconds.toFixed(2)} CPU-s in ${(remote.wallMs / 1000).toFixed(1)} s; local ${local.cpuSeconds.toFixed(2)} CPU-s in ${(local.wallMs / 1000).toFixed(1)} s`);
    return { remote: remote.cpuSeconds, local: local.cpuSeconds };
  };
  const whole = { remote: [] as number[], local: [] as number[] };
  const further = { remote: [] as number[], local: [] as number[] };
  for (let i = 0; i < runs; i += 1) {
    const shortRun = await transcode(short);
    const longRun = await transcode(long);
    const minutes = (longS - shortS) / 60;
    whole.remote.push(longRun.remote / (longS / 60));
    whole.local.push(longRun.local / (longS / 60));
    further.remote.push((longRun.remote - shortRun.remote) / minutes);
    further.local.push((longRun.local - shortRun.local) / minutes);
  }
  const row = (id: string, name: string, samples: typeof whole): BenchRow => {
    const percent = summarize(pairedRatios(samples.remote, samples.local).map((r) => r * 100));
    return {
      id,
      name,
      baseline: measured('local ffmpeg', 'CPU-s/min', samples.local),
      measured: measured('Plex side, remote', 'CPU-s/min', samples.remote),
      result: { text: `${percent.median.toFixed(2)} % of local`, value: percent.median, spread: percent.runs > 1 ? `${percent.min.toFixed(2)}–${percent.max.toFixed(2)}` : null },
      goal: `≤ ${GOAL_PERCENT} % of local`,
      pass: percent.median <= GOAL_PERCENT,
    };
  };
  return [
    { ...row('9a', `Offload: Plex-side CPU per minute of media, whole ${longS.toFixed(0)} s transcode (1080p → 720p HLS)`, whole),
      note: 'offload: CPU is user + system time of the process tree (kernel rusage of waited-for children, 10 ms ticks); the Plex side is the shim, the cartridge and all it started; 9a counts the cartridge\'s start-up, which a 30 s transcode amortises less than a film does.' },
    row('9b', `Offload: each further minute of media (${longS.toFixed(0)} s run − ${shortS.toFixed(0)} s run)`, further),
  ];
}

/** Writes the video and audio of `input`, `loops` times over (stream copy: no encode), to `output`; returns its duration in seconds. */
function makeClip(input: string, loops: number, output: string): number {
  const made = spawnSync(FFMPEG, ['-nostdin', '-v', 'error', '-y', '-stream_loop', String(loops - 1), '-i', input, '-map', '0:v:0', '-map', '0:a:0', '-c', 'copy', output], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`could not make the long clip: ${made.stderr}`);
  return duration(output);
}

/** A media file's duration in seconds (ffprobe). */
function duration(path: string): number {
  const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path], { encoding: 'utf8' });
  const seconds = Number(probe.stdout.trim());
  if (!(seconds > 0)) throw new Error(`could not read the duration of ${path}: ${probe.stderr}`);
  return seconds;
}
