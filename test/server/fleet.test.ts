// End to end: the built `plexbeam server` against a real worker, a dead URL (a closed port), a slow
// one (its /health answers after the probe timeout) and a wrong key; the fleet cache it writes,
// `plexbeam status` reading it (exit 0 / 3), and `plexbeam worker drain|resume` seen in the cache.
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import type { FleetCache } from '../../core/fleet-cache.ts';
import { API_KEY, BIN, spawnOwned, until } from '../cartridge/helpers.ts';
import { startRealWorker } from '../cartridge/workers.ts';
import { spawnServer } from './helpers.ts';

const dir = realpathSync(t.testdir({ media: {}, tx: {} }));
const worker = await startRealWorker(dir, { mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')], maxJobs: 3 });
t.teardown(() => worker.stop());
const port = Number(new URL(worker.url).port);

/** A port nothing listens on: opened, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
const deadUrl = `http://127.0.0.1:${await closedPort()}`;

// A worker whose /health answers only after 6 s (the probe gives up after 1.5 s).
const slow: Server = createServer((req, res) => {
  const timer = setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), 6000);
  req.on('close', () => clearTimeout(timer));
});
await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
t.teardown(() => {
  slow.closeAllConnections();
  return new Promise((resolve) => slow.close(resolve));
});
const slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;

const fleetFile = join(dir, 'run', 'fleet.json');
const config = join(dir, 'config.json');
writeFileSync(config, JSON.stringify({
  dataDir: join(dir, 'data'),
  workers: [
    { url: worker.url, apiKey: API_KEY, name: 'gpu' },
    { url: deadUrl, name: 'dead' },
    { url: slowUrl, name: 'slow' },
    // The same worker under another host name, with a key it does not know.
    { url: `http://localhost:${port}`, apiKey: 'not-the-key', name: 'wrong-key' },
  ],
  // 1.5 s, the default: a loaded test machine must not make the real worker look down.
  server: { fleetFile, probeIntervalMs: 200, probeTimeoutMs: 1500, listen: '127.0.0.1:0' },
  // For `plexbeam worker drain`: where the worker on "this machine" listens, and its key.
  worker: { host: '127.0.0.1', port, apiKey: API_KEY },
}));
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir };

const { server, logs: serverLogs } = spawnServer(t, config, env);

const readCache = () => {
  try {
    return JSON.parse(readFileSync(fleetFile, 'utf8')) as FleetCache;
  } catch {
    return undefined;
  }
};
const byName = (cache: FleetCache, name: string) => cache.workers.find((w) => w.name === name)!;
const cli = (...args: string[]) => spawnSync(BIN, [...args, '--config', config], { env, encoding: 'utf8', timeout: 20_000 });

t.test('the server probes every worker and writes what it learnt to the fleet cache', async (t) => {
  await serverLogs.waitForLog((line) => line.msg === 'fleet monitor running');
  const first = await until(() => readCache(), 5000, 'the fleet cache');
  // A later round: since stays, checkedAt moves on.
  const later = await until(() => {
    const cache = readCache();
    return cache !== undefined && cache.writtenAt > first.writtenAt ? cache : undefined;
  }, 10_000, 'a second round');
  t.equal(later.version, 1);
  t.equal(later.pid, server.pid);
  t.same(later.workers.map((w) => w.name), ['gpu', 'dead', 'slow', 'wrong-key']);
  const gpu = byName(later, 'gpu');
  t.match(gpu, { up: true, url: worker.url, draining: false, lastError: null, health: { status: 'ok', jobs: { running: 0, max: 3 } } });
  t.ok(gpu.health!.encoders.includes('libx264'), 'its encoders');
  t.equal(gpu.since, byName(first, 'gpu').since, 'up since the first round');
  t.ok(gpu.checkedAt > byName(first, 'gpu').checkedAt);
  t.match(byName(later, 'dead'), { up: false, health: null, lastError: /^unreachable: connection refused/ });
  t.match(byName(later, 'slow'), { up: false, lastError: 'unreachable: no answer within 1500 ms' });
  t.match(byName(later, 'wrong-key'), { up: false, lastError: /refuses the key \(401\)/ });
  t.match(serverLogs.logs.find((l) => l.worker === 'dead'), { level: 'warn', msg: /worker dead is down: unreachable/ }, 'the server logs the worker going down');
});

t.test('plexbeam status reads the cache: every worker, and exit 0 with one up', async (t) => {
  const json = cli('status', '--json');
  t.equal(json.status, 0, json.stderr);
  const report = JSON.parse(json.stdout);
  t.equal(report.source, 'server');
  t.same(report.sessions, []);
  t.match(report.workers.find((w: any) => w.name === 'gpu'), { up: true, url: worker.url, backend: 'software', jobs: { running: 0, max: 3 }, draining: false, version: /\d/, storage: 'auto' });
  t.match(report.workers.find((w: any) => w.name === 'dead'), { up: false, last_error: /connection refused/, since: /^\d{4}-/ });
  const text = cli('status');
  t.equal(text.status, 0);
  t.match(text.stdout, /Workers: 1 of 4 up \(plexbeam-server's cache/);
  t.match(text.stdout, /● gpu \(http:\/\/127\.0\.0\.1:\d+\) up since/);
  t.match(text.stdout, /○ slow .* down since[^\n]*\n\s+unreachable: no answer within 1500 ms/);
  t.match(text.stdout, /backend software · encoders [^\n]*libx264[^\n]* · storage auto/);
});

t.test('with no server, status asks the workers itself and says so; exit 3 when none is up', async (t) => {
  const lone = join(dir, 'lone.json');
  writeFileSync(lone, JSON.stringify({ dataDir: join(dir, 'data'), workers: [{ url: deadUrl, name: 'dead' }], server: { fleetFile: join(dir, 'none', 'fleet.json'), probeTimeoutMs: 500 } }));
  const run = spawnSync(BIN, ['status', '--json', '--config', lone], { env, encoding: 'utf8', timeout: 20_000 });
  t.equal(run.status, 3, 'no worker up: exit 3');
  const report = JSON.parse(run.stdout);
  t.equal(report.source, 'live');
  t.match(report.why, /no fleet cache at .*is plexbeam-server running/);
  t.match(report.workers, [{ name: 'dead', up: false, last_error: /connection refused/ }]);
  const text = spawnSync(BIN, ['status', '--config', lone], { env, encoding: 'utf8', timeout: 20_000 });
  t.equal(text.status, 3);
  t.match(text.stdout, /Workers: 0 of 1 up \(asked live: no fleet cache/);
});

t.test('plexbeam worker drain: the worker refuses new jobs and the cache says draining; resume undoes it', async (t) => {
  const drain = cli('worker', 'drain');
  t.equal(drain.status, 0, drain.stderr);
  t.match(drain.stdout, /draining http:\/\/127\.0\.0\.1:\d+: new jobs are refused; 0 running jobs will finish/);
  const health = (await (await fetch(`${worker.url}/health`)).json()) as { draining: boolean };
  t.equal(health.draining, true, '/health says draining');
  const refused = await fetch(`${worker.url}/transcode`, { method: 'POST', headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' }, body: JSON.stringify({ session_id: 's', argv: ['-i', join(dir, 'media', 'x.mkv'), 'out.ts'], env: {}, cwd: join(dir, 'tx') }) });
  t.equal(refused.status, 503, 'POST /transcode refused with 503');
  t.match(await refused.json(), { error: /draining/ });
  await until(() => (readCache() && byName(readCache()!, 'gpu').draining ? true : undefined), 10_000, 'the cache to say draining');
  t.match(cli('status').stdout, /● gpu .* draining since/);
  const resume = cli('worker', 'resume');
  t.equal(resume.status, 0, resume.stderr);
  t.equal(((await (await fetch(`${worker.url}/health`)).json()) as { draining: boolean }).draining, false);
  await until(() => (readCache() && !byName(readCache()!, 'gpu').draining ? true : undefined), 10_000, 'the cache to say taking jobs');
  const wrongKey = join(dir, 'wrong.json');
  writeFileSync(wrongKey, JSON.stringify({ worker: { host: '127.0.0.1', port, apiKey: 'nope' } }));
  const refusedKey = spawnSync(BIN, ['worker', 'drain', '--config', wrongKey], { env, encoding: 'utf8', timeout: 20_000 });
  t.equal(refusedKey.status, 1);
  t.match(refusedKey.stderr, /refuses the key \(401\)/);
});

t.test('status --watch, piped: one report after another until interrupted', async (t) => {
  const watch = spawnOwned(BIN, ['status', '--watch', '--json', '--config', config], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  watch.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => watch.once('exit', (code) => resolve(code)));
  await until(() => (out.split('\n').filter((l) => l.startsWith('{')).length >= 2 ? true : undefined), 15_000, 'two reports');
  watch.kill('SIGINT');
  t.equal(await exited, 0, 'interrupted with a worker up: exit 0');
  const reports = out.trim().split('\n').map((l) => JSON.parse(l));
  t.ok(reports.length >= 2, 'one JSON object a line');
  t.ok(reports.every((r) => r.source === 'server' && r.workers.length === 4));
});

const hasScript = spawnSync('sh', ['-c', 'command -v script']).status === 0;
t.test('status --watch on a terminal redraws in place', { skip: hasScript ? false : 'needs script(1) (util-linux) for a pseudo-terminal' }, async (t) => {
  // script(1) gives the command a pseudo-terminal; its output is what a terminal would show.
  const watch = spawnOwned('script', ['-qfc', `${BIN} status --watch --config ${config}`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  watch.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise((resolve) => watch.once('exit', resolve));
  await until(() => ((out.match(/\x1b\[H\x1b\[2J/g) ?? []).length >= 2 ? true : undefined), 15_000, 'two redraws');
  watch.kill('SIGTERM');
  await exited;
  const frames = out.split('\x1b[H\x1b[2J').filter((f) => f.trim() !== '');
  t.ok(frames.length >= 2, 'each report replaces the last (cursor home, clear screen)');
  t.match(frames[0], /Workers: 1 of 4 up \(plexbeam-server's cache/);
});

t.test('plexbeam workers remove takes effect at the next round, without a restart', async (t) => {
  const removed = cli('workers', 'remove', 'dead');
  t.equal(removed.status, 0, removed.stderr);
  const cache = await until(() => {
    const now = readCache();
    return now !== undefined && !now.workers.some((w) => w.name === 'dead') ? now : undefined;
  }, 10_000, 'the cache without the removed worker');
  t.same(cache.workers.map((w) => w.name), ['gpu', 'slow', 'wrong-key']);
  t.ok(serverLogs.logs.some((l) => typeof l.msg === 'string' && l.msg.endsWith('changed: 3 workers from now on')), 'the server says so');
  t.equal(server.exitCode, null, 'the same server process');
});

t.test('the server stops cleanly on SIGTERM', async (t) => {
  server.kill('SIGTERM');
  const { code } = await serverLogs.exited;
  t.equal(code, 0);
  t.ok(serverLogs.logs.some((l) => l.msg === 'stopped'));
});
