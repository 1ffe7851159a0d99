/** Helpers for the library re-encode tests: waiting on a job, finding its ffmpeg, a real worker in this process. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { validateConfig, type WorkerConfig } from '../../core/config.ts';
import { createLogger } from '../../core/log.ts';
import { checkConfinement, createJobConfiner } from '../../worker/confine/index.ts';
import type { HardwareProbe } from '../../worker/probe/index.ts';
import { createWorkerServer, type WorkerServer } from '../../worker/server.ts';
import { API_KEY, processGroup, workerRequest, type LogLine, type RunningWorker } from './helpers.ts';

/** Polls `GET /library/jobs/:id` until the job has ended; its last status. */
export async function waitForLibraryEnd(worker: RunningWorker, id: string, timeoutMs = 90_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { json } = await worker.request('GET', `/library/jobs/${id}`);
    if (!['queued', 'running', 'paused'].includes(json.state)) return json;
    if (Date.now() > deadline) throw new Error(`library job ${id} still ${json.state} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Polls `GET /library/jobs/:id` until `predicate` holds for its status. */
export async function waitForLibraryStatus(worker: RunningWorker, id: string, predicate: (status: any) => boolean, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { json } = await worker.request('GET', `/library/jobs/${id}`);
    if (predicate(json)) return json;
    if (Date.now() > deadline) throw new Error(`library job ${id}: no such status within ${timeoutMs} ms (last ${JSON.stringify(json)})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The pid of the ffmpeg in process group `pgid` (the group leader is bwrap when confined), waiting for it to appear. */
export async function libraryFfmpeg(pgid: number, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const pid of processGroup(pgid)) {
      try {
        if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'ffmpeg') return pid;
      } catch {
        // ended meanwhile
      }
    }
    if (Date.now() > deadline) throw new Error(`no ffmpeg in process group ${pgid} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A real worker (createWorkerServer, as worker/main.ts builds it) in this process on 127.0.0.1,
 * confined as `worker.confinement` says, with a software "probe" (the library encoders pass or
 * fail their own real test encode); its logs are collected. In-process so that coverage sees the
 * worker's code; the crash tests SIGKILL the built CLI instead.
 */
export async function startInProcessWorker(dir: string, worker: Record<string, unknown>, hardware: Partial<HardwareProbe> = {}): Promise<RunningWorker & { server: WorkerServer }> {
  const config = validateConfig({ worker: { host: '127.0.0.1', port: 0, apiKey: API_KEY, ...worker } }).worker as WorkerConfig;
  const logs: LogLine[] = [];
  let partial = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line !== '') logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const log = await createLogger({ name: 'worker', config: { logLevel: 'debug', logFiles: false, logDir: dir }, destination });
  const confinement = await checkConfinement({ setting: config.confinement, pathVar: process.env.PATH });
  const probe: HardwareProbe = {
    hwaccel: 'software', encoders: ['libx264'], device: null, requested: 'auto', reason: 'test', ffmpeg: { path: config.ffmpegPath, version: 'test' },
    hwaccels: [], devices: { dri: [], nvidia: [] }, candidates: [], ms: 0, ...hardware,
  };
  const server = createWorkerServer({
    config, hardware: probe, log, version: 'test', workerEnv: { PATH: process.env.PATH }, scratchRoot: join(dir, 'plexbeam-worker'),
    confine: createJobConfiner({ confinement, config, devices: [] }),
  });
  const { port } = await server.listen();
  const base = `http://127.0.0.1:${port}`;
  let closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  return {
    server,
    port,
    base,
    proc: undefined as never,
    logs,
    get exited() {
      return closed ?? new Promise<never>(() => {});
    },
    async waitForLog(predicate, timeoutMs = 20_000) {
      for (const deadline = Date.now() + timeoutMs; ; ) {
        const found = logs.find(predicate);
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`no such log line within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    request: workerRequest(base),
    stop() {
      closed ??= server.close().then(() => ({ code: 0, signal: null }));
      return closed;
    },
  };
}

/** The nice value of `pid` (field 19 of /proc/<pid>/stat). */
export function processNice(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

/** The scheduling policy of each thread of `pid` (field 41 of /proc/<pid>/task/<tid>/stat: 0 SCHED_OTHER, 1 SCHED_FIFO, 2 SCHED_RR …). */
export function threadPolicies(pid: number): number[] {
  const policies: number[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      policies.push(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]));
    } catch {
      // the thread ended
    }
  }
  return policies;
}
