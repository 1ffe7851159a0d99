// The cartridge and plexbeam-server's fleet cache: a fresh cache (written by the server's own
// monitor, in-process here) is used without any health request; a stale one, or a worker it does
// not list, is asked live. Then worker ranking: free slots × weight, a recent failure last.
import { realpathSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import t from 'tap';
import { rankWorkers, type HealthResult } from '../../cartridge/choose-worker.ts';
import type { FleetWorker } from '../../core/fleet-cache.ts';
import { nextWorkerState } from '../../server/fleet-state.ts';
import { createFleetMonitor } from '../../server/monitor.ts';
import { API_KEY, installShim, makeMedia, plexEnv, readSessions, runShim, writeConfig } from './helpers.ts';
import { healthBody, line, startFakeWorker } from './workers.ts';

const dir = realpathSync(t.testdir({ tx: { s: {} }, run: {} }));
const cwd = join(dir, 'tx', 's');
const plex = await installShim(dir);
const IN = makeMedia(join(dir, 'media', 'in.mkv'), 1);
const argv = (out: string) => ['-i', IN, '-c:v', 'libx264', '-c:a', 'aac', '-f', 'mp4', out];
const silent = pino({ level: 'silent' });

const accepting = () => startFakeWorker({ health: { body: healthBody(2) }, link: (res) => res.end(line({ type: 'hello', protocol: 1 }) + line({ type: 'exit', id: 1, state: 'completed', code: 0, signal: null })) });
const light = await accepting();
const heavy = await accepting();
t.teardown(() => Promise.all([light.close(), heavy.close()]));
const closed = createServer();
await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
await new Promise((resolve) => closed.close(resolve));

/** One probe round of the server's monitor over `workers`, written to `file` (as if `ageMs` ago). */
async function writeCache(file: string, workers: { url: string; name: string }[], ageMs = 0): Promise<void> {
  const monitor = createFleetMonitor({ workers: workers.map((w) => ({ ...w, apiKey: API_KEY })), fleetFile: file, intervalMs: 60_000, timeoutMs: 1000, log: silent, now: () => Date.now() - ageMs });
  await monitor.start();
  await monitor.close();
}
const healthCalls = (...workers: { requests: { url: string }[] }[]) => workers.reduce((n, w) => n + w.requests.filter((r) => r.url === '/health').length, 0);

async function transcode(out: string, workers: Record<string, unknown>[], fleetFile: string) {
  const config = writeConfig(dir, { workers: workers.map((w) => ({ apiKey: API_KEY, ...w })), healthTimeoutMs: 400, server: { fleetFile } });
  const run = await runShim(plex, argv(out), { env: plexEnv({ PLEXBEAM_CONFIG: config }), cwd });
  return { run, row: (await readSessions(dir)).find((r) => r.argv.includes(out)) };
}

t.test('a fresh cache: the job goes out with no health request, to the worker with most free slots × weight', async (t) => {
  const file = join(dir, 'run', 'fresh.json');
  await writeCache(file, [{ url: light.url, name: 'light' }, { url: heavy.url, name: 'heavy' }]);
  const before = healthCalls(light, heavy);
  const { run, row } = await transcode('fresh.mp4', [{ url: light.url, name: 'light' }, { url: heavy.url, name: 'heavy', weight: 3 }], file);
  t.equal(run.code, 0, run.stderr);
  t.equal(healthCalls(light, heavy), before, 'no GET /health from the cartridge');
  t.match(row, { decision: 'remote', worker: 'heavy' }, 'weight 3 beats weight 1 at equal free slots');
  t.ok(heavy.requests.some((r) => r.url === '/transcode'));
});

t.test('a worker the fresh cache says is down is passed over without asking it', async (t) => {
  const file = join(dir, 'run', 'down.json');
  await writeCache(file, [{ url: deadUrl, name: 'dead' }]);
  const { run, row } = await transcode('down.mp4', [{ url: deadUrl, name: 'dead' }], file);
  t.equal(run.code, 0);
  t.match(row, { decision: 'fallback', fallbackReason: 'no-healthy-worker', reason: /dead down \(fleet cache: unreachable: connection refused/ });
});

t.test('a stale cache, and a worker the cache does not list, are asked live', async (t) => {
  const stale = join(dir, 'run', 'stale.json');
  await writeCache(stale, [{ url: light.url, name: 'light' }], 60_000);
  const before = healthCalls(light);
  const { run, row } = await transcode('stale.mp4', [{ url: light.url, name: 'light' }], stale);
  t.equal(run.code, 0, run.stderr);
  t.equal(healthCalls(light), before + 1, 'the cartridge asked GET /health itself');
  t.match(row, { decision: 'remote', worker: 'light' });

  const partial = join(dir, 'run', 'partial.json');
  await writeCache(partial, [{ url: light.url, name: 'light' }]);
  const [l, h] = [healthCalls(light), healthCalls(heavy)];
  const second = await transcode('partial.mp4', [{ url: light.url, name: 'light' }, { url: heavy.url, name: 'heavy' }], partial);
  t.equal(second.run.code, 0, second.run.stderr);
  t.same([healthCalls(light) - l, healthCalls(heavy) - h], [0, 1], 'only the unlisted worker is asked');
});

const health = (running: number, max: number, hwaccel = 'software') => ({ status: 'ok' as const, version: '1', hwaccel, encoders: ['libx264'], jobs: { running, queued: 0, max } });
const target = (name: string, weight?: number) => ({ name, url: `http://${name}:8765`, apiKey: '', ...(weight === undefined ? {} : { weight }) });

t.test('ranking: free slots × weight; a worker that failed a job recently goes last; weight 0 only as a last resort', async (t) => {
  const results: HealthResult[] = [
    { worker: target('big'), health: health(1, 4) },
    { worker: target('weighted', 2), health: health(0, 2) },
    { worker: target('failed'), health: health(0, 8), recentFailure: true },
    { worker: target('spare', 0), health: health(0, 8) },
    { worker: target('small'), health: health(0, 1, 'nvenc') },
  ];
  t.same(rankWorkers(results, 'libx264').candidates.map((c) => c.name), ['weighted', 'big', 'small', 'spare', 'failed']);
  t.same(rankWorkers([{ worker: target('a'), health: health(0, 2) }, { worker: target('b'), health: health(0, 2, 'nvenc') }], 'libx264').candidates.map((c) => c.name), ['b', 'a'], 'equal shares: hardware first');
});

t.test("the server's failure tracking: a rise in the worker's failed-job count marks a recent failure; a restart resets the baseline", async (t) => {
  const w = target('gpu');
  const counts = new Map<string, number>();
  const up = (failedJobs: number | null) => ({ health: health(0, 2), draining: false, failedJobs });
  let state: FleetWorker = nextWorkerState(w, undefined, up(3), 1000, counts);
  t.match(state, { up: true, since: 1000, failedJobs: 0, lastFailureAt: null }, 'the first count is only a baseline');
  state = nextWorkerState(w, state, up(3), 3000, counts);
  t.match(state, { since: 1000, failedJobs: 0, lastFailureAt: null });
  state = nextWorkerState(w, state, up(5), 5000, counts);
  t.match(state, { failedJobs: 2, lastFailureAt: 5000 });
  state = nextWorkerState(w, state, { error: 'unreachable: connection refused' }, 7000, counts);
  t.match(state, { up: false, since: 7000, health: null, lastError: 'unreachable: connection refused', lastErrorAt: 7000, failedJobs: 2 });
  state = nextWorkerState(w, state, up(0), 9000, counts);
  t.match(state, { up: true, since: 9000, failedJobs: 2, lastFailureAt: 5000, lastError: 'unreachable: connection refused' }, 'restarted: its counter starts again, no new failure');
  state = nextWorkerState(w, state, up(1), 11_000, counts);
  t.match(state, { failedJobs: 3, lastFailureAt: 11_000 });
});
