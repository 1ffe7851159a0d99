/**
 * Row 12d, stream mode over a LAN: the worker in a network namespace of its own, joined to the
 * Plex side's by a veth pair shaped to 1 Gbit/s each way (tbf on both ends), each side on a CPU of
 * its own (taskset): two machines on a gigabit LAN, as far as one 2-CPU box can stand for them.
 * The same remux as 12a, against what that link carries: the same bytes sent and received at once
 * (a remux's input goes one way while its output comes back) by a bare TCP copy over the same link.
 * Needs root (`ip netns`, `tc`); n/a elsewhere, with the reason.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestNetnsPair, netnsSkipReason } from '../test/shaper/netns.ts';
import { NODE_PATH, type Fixture } from './fixture.ts';
import { startTimed, stopChild, until } from './processes.ts';
import { pairedRatios } from './stats.ts';
import { measured, notAvailable, ratioResult, type BenchRow, type RowOptions } from './types.ts';
import { startWorkerProcess } from './worker-process.ts';

const GOAL = 0.9;
const NAME = 'Stream mode over an emulated gigabit LAN (worker in its own network namespace and CPU, 1 Gbit/s each way): the 12a remux vs the link';
const GOAL_TEXT = `≥ ${GOAL.toFixed(1)}× what the link carries`;
/** The namespaces' addresses (test/shaper/netns.ts: the server side is 10.200.0.1). */
const WORKER_ADDRESS = '10.200.0.1';
const PLEX_ADDRESS = '10.200.0.2';
const SINK_PORT = 9411;
/** The shaping of each end: 1 Gbit/s, a switch's worth of queue. */
const TBF = ['rate', '1gbit', 'burst', '256kb', 'latency', '20ms'];
const LAN_SIDE = fileURLToPath(new URL(`./lan-side${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

/** Why 12d cannot run here, or null. */
function lanSkipReason(): string | null {
  const netns = netnsSkipReason();
  if (netns !== null) return netns;
  if (spawnSync('taskset', ['-c', '0', 'true']).status !== 0) return '`taskset` (util-linux) is missing';
  return null;
}

/** Measures row 12d with the 12a input. */
export async function benchStreamLan(fx: Fixture, opts: RowOptions, input: string, runs: number): Promise<BenchRow> {
  const reason = lanSkipReason();
  if (reason !== null) return notAvailable('12d', NAME, GOAL_TEXT, reason);
  // One CPU for each "machine" where there are two.
  const pin = (cpu: number) => (cpus().length >= 2 ? ['taskset', '-c', String(cpu)] : []);
  const pair = createTestNetnsPair([PLEX_ADDRESS]);
  try {
    try {
      pair.server.exec('tc', 'qdisc', 'add', 'dev', 'pb0', 'root', 'tbf', ...TBF);
      pair.client.exec('tc', 'qdisc', 'add', 'dev', 'pb1', 'root', 'tbf', ...TBF);
    } catch (error) {
      return notAvailable('12d', NAME, GOAL_TEXT, `the kernel lacks sch_tbf: ${(error as Error).message.split('\n')[0]}`);
    }
    const inWorker = ['ip', 'netns', 'exec', pair.server.name, ...pin(1)];
    const inPlex = ['ip', 'netns', 'exec', pair.client.name, ...pin(0)];
    const dir = join(fx.root, 'lan');
    // The worker shares no folder with the Plex side: its roots are its own, empty.
    for (const sub of ['worker-media', 'worker-tx', 'plex-out']) mkdirSync(join(dir, sub), { recursive: true });
    const worker = await startWorkerProcess(dir, { host: WORKER_ADDRESS, mediaRoots: [join(dir, 'worker-media')], transcodeRoots: [join(dir, 'worker-tx')], maxJobs: 2 }, inWorker);
    const sink = startTimed(inWorker[0] as string, [...inWorker.slice(1), process.execPath, LAN_SIDE, 'sink', WORKER_ADDRESS, String(SINK_PORT)], { env: { PATH: NODE_PATH } });
    try {
      await until(() => sink.stdout().includes('listening') || sink.child.exitCode !== null, 'the sink in the worker namespace');
      const plexSide = async (...args: string[]): Promise<number> => {
        const run = startTimed(inPlex[0] as string, [...inPlex.slice(1), process.execPath, LAN_SIDE, ...args], { env: { PATH: NODE_PATH } });
        const { code } = await run.exited;
        if (code !== 0) throw new Error(`12d: the Plex side's ${args[0]} failed (exit ${code}): ${run.stderr().slice(-2000)}`);
        return (JSON.parse(run.stdout().trim().split('\n').at(-1) ?? '{}') as { ms: number }).ms;
      };
      const size = statSync(input).size;
      const remux = () => plexSide('remux', worker.url, worker.apiKey, input, join(dir, 'plex-out'));
      const copy = () => plexSide('copy', WORKER_ADDRESS, String(SINK_PORT), String(size));
      await remux();
      await copy();
      const samples = { link: [] as number[], stream: [] as number[] };
      for (let i = 0; i < runs; i += 1) {
        samples.link.push(await copy());
        samples.stream.push(await remux());
        opts.say(`  12d: link ${samples.link.at(-1)?.toFixed(0)} ms, stream mode ${samples.stream.at(-1)?.toFixed(0)} ms`);
      }
      const result = ratioResult(pairedRatios(samples.link, samples.stream), 'the link');
      return {
        id: '12d',
        name: NAME,
        baseline: measured(`${(size / 1e6).toFixed(0)} MB each way at once, bare TCP`, 'ms', samples.link),
        measured: measured('through stream mode', 'ms', samples.stream),
        result,
        goal: GOAL_TEXT,
        pass: (result.value as number) >= GOAL,
        note: `veth + tbf (${TBF.join(' ')}) on both ends, Plex side on CPU 0 and worker (with its ffmpeg) on CPU 1; the remux time includes the job's start, the output's last bytes and its rename; 1.0× = as fast as the link allows`,
      };
    } finally {
      await stopChild(sink).catch(() => undefined);
      await worker.stop();
    }
  } finally {
    pair.teardown();
  }
}
