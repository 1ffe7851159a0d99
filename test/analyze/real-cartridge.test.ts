// `plexbeam analyze` on a log the real cartridge wrote: the built shim, run as Plex runs it,
// through sessions that end the ways the summary must tell apart: Plex stops one mid-transcode
// (SIGTERM), one loses its worker (SIGKILLed mid-job), one falls back to Plex's transcoder
// because no worker answers, and Plex stops one running locally (no worker configured; the
// stand-in runs the real ffmpeg, which exits 255). Each lands in its own column, none "failed".
import { spawnSync } from 'node:child_process';
import { mkdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { readFakeRealCalls, startFakePms } from '../harness/index.ts';
import { API_KEY, BIN, installShim, makeMedia, plexEnv, processesWith, readSessions, runShim, startShim, until, writeConfig } from '../cartridge/helpers.ts';
import { startRealWorker, type RealWorker } from '../cartridge/workers.ts';

const dir = realpathSync(t.testdir({ tx: {} }));
const IN = makeMedia(join(dir, 'media', 'in.mkv'));
const roots = { mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')] };
const pms = await startFakePms();
t.teardown(() => pms.close());
const plex = await installShim(dir);
const db = join(dir, 'data', 'sessions.db');
const SESSION = '/video/:/transcode/session';
// Plex names the session folder after the client's session id (Plex for Android's ends with its product).
const folder = (job: string, client = '') => {
  const cwd = join(dir, 'tx', `plex-transcode-875a95c7bc0072ef${client}-${job}`);
  mkdirSync(cwd, { recursive: true });
  return cwd;
};
/** An endless live-paced HLS transcode whose playlist Plex receives at `<SESSION>/<name>/`. */
const endless = (name: string) => ['-re', '-stream_loop', '-1', '-i', IN, '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '24', '-c:a', 'aac',
  '-f', 'hls', '-hls_time', '1', '-method', 'PUT', `${pms.url}${SESSION}/${name}/index.m3u8`];
const configFor = (w: { url: string }, name: string) => writeConfig(dir, { workers: [{ url: w.url, apiKey: API_KEY, name }], healthTimeoutMs: 2000 });

/** Starts an endless job through `worker` and resolves once its first segment reached Plex. */
async function startMidStream(worker: RealWorker, name: string, cwd: string) {
  const run = startShim(plex, endless(name), { env: plexEnv({ PLEXBEAM_CONFIG: configFor(worker, name) }), cwd });
  t.teardown(() => void (run.proc.exitCode === null && run.proc.signalCode === null && run.proc.kill('SIGKILL')));
  await pms.waitFor((r) => r.path === `${SESSION}/${name}/index.m3u8`, 30_000);
  await worker.waitForLog((l) => l.msg === 'job started' && l.cwd === cwd, 30_000);
  return run;
}

const worker = await startRealWorker(dir, roots);
t.teardown(() => worker.stop());

// 1. Plex stops the transcode (the user stopped playback, or seeked): SIGTERM mid-stream.
const stopCwd = folder('b1f0c1d2-0000-4000-8000-000000000001', '-com-plexapp-android');
const stopped = await startMidStream(worker, 'stopped', stopCwd);
stopped.proc.kill('SIGTERM');
const stopEnd = await stopped.exited;

// 2. The worker dies mid-job: the cartridge exits 1 so that Plex restarts the transcode.
const doomed = await startRealWorker(dir, roots);
t.teardown(() => doomed.stop('SIGKILL'));
const lostCwd = folder('b1f0c1d2-0000-4000-8000-000000000002');
const lost = await startMidStream(doomed, 'lost', lostCwd);
doomed.proc.kill('SIGKILL');
const lostEnd = await lost.exited;
// The dead worker's orphaned ffmpeg is the test's to clean up, not the cartridge's.
for (const pid of processesWith(`${SESSION}/lost/`)) process.kill(pid, 'SIGKILL');

// 3. No worker answers: Plex's own transcoder (the stand-in) runs it.
const fallbackCwd = folder('b1f0c1d2-0000-4000-8000-000000000003');
const fallbackConfig = writeConfig(dir, { workers: [{ url: 'http://127.0.0.1:9', apiKey: API_KEY, name: 'off' }], healthTimeoutMs: 400 });
const fellBack = await runShim(plex, ['-i', IN, '-c:v', 'libx264', '-c:a', 'aac', '-f', 'mp4', 'out.mp4'], { env: plexEnv({ PLEXBEAM_CONFIG: fallbackConfig }), cwd: fallbackCwd });

// 4. Plex stops a transcode that runs locally (no worker configured): the SIGTERM reaches ffmpeg.
const localCwd = folder('b1f0c1d2-0000-4000-8000-000000000004');
const localConfig = writeConfig(dir, { workers: [] });
const local = startShim(plex, ['-re', '-stream_loop', '-1', '-i', IN, '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-f', 'mpegts', 'local.ts'], {
  env: plexEnv({ PLEXBEAM_CONFIG: localConfig, PLEXBEAM_FAKE_REAL_MODE: 'ffmpeg' }),
  cwd: localCwd,
});
t.teardown(() => void (local.proc.exitCode === null && local.proc.signalCode === null && local.proc.kill('SIGKILL')));
await until(async () => ((await readFakeRealCalls(plex.realLog)).some((c) => c.cwd === localCwd) ? true : undefined), 30_000, 'the local transcoder runs');
await until(() => ((statSync(join(localCwd, 'local.ts'), { throwIfNoEntry: false })?.size ?? 0) > 0 ? true : undefined), 30_000, 'ffmpeg writes');
local.proc.kill('SIGTERM');
const localEnd = await local.exited;

function analyze(...args: string[]) {
  const result = spawnSync(BIN, ['analyze', '--db', db, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1' } });
  t.equal(result.status, 0, `plexbeam analyze ${args.join(' ')} exits 0 (${result.stderr})`);
  return result.stdout;
}

t.test('Plex saw each run end as the transcoder would', async (t) => {
  t.same({ code: stopEnd.code, signal: stopEnd.signal }, { code: 255, signal: null }, 'stopped: exit 255, as ffmpeg after SIGTERM');
  t.equal(lostEnd.code, 1, 'worker lost: exit 1');
  t.equal(fellBack.code, 0, 'fallback: the stand-in exited 0');
  t.same({ code: localEnd.code, signal: localEnd.signal }, { code: 255, signal: null }, 'local, stopped: ffmpeg exit 255');
});

t.test('the cartridge recorded why each ended', async (t) => {
  const rows = await readSessions(dir);
  const by = (cwd: string) => rows.find((r) => r.cwd === cwd);
  t.match(by(stopCwd), { decision: 'remote', endedBy: 'plex-stop', exitCode: 255, signal: null, client: 'Plex for Android' });
  t.match(by(lostCwd), { decision: 'remote', endedBy: 'worker-lost', exitCode: 1, client: null });
  t.match(by(fallbackCwd), { decision: 'fallback', fallbackReason: 'no-healthy-worker', reason: /off unreachable/, endedBy: 'exit', exitCode: 0 });
  t.match(by(localCwd), { decision: 'fallback', fallbackReason: 'no-worker-configured', endedBy: 'plex-stop', exitCode: 255, signal: null });
});

t.test('analyze --json puts each in its column: stopped, worker lost, fallback; none failed', async (t) => {
  const summary = JSON.parse(analyze('--json'));
  t.equal(summary.total, 4);
  t.same(summary.by_decision, { remote: 2, local: 0, fallback: 2 });
  t.same(summary.outcomes, { ok: 1, stopped: 2, failed: 0, worker_lost: 1, unfinished: 0, success_rate: 0.75, failure_rate: 0.25 });
  t.match(summary.decisions.remote.outcomes, { ok: 0, stopped: 1, failed: 0, worker_lost: 1 });
  t.match(summary.decisions.fallback.outcomes, { ok: 1, stopped: 1, failed: 0, worker_lost: 0 });
  t.same(summary.fallback_reasons.map((r: { code: string; count: number }) => [r.code, r.count]), [['no-healthy-worker', 1], ['no-worker-configured', 1]]);
  t.same(summary.by_client.map((f: { value: string; count: number }) => [f.value, f.count]), [['Plex for Android', 1]]);
  const workers = Object.fromEntries(summary.workers.map((w: { worker: string; outcomes: unknown }) => [w.worker, w.outcomes]));
  t.match(workers.stopped, { stopped: 1, failed: 0, worker_lost: 0 });
  t.match(workers.lost, { stopped: 0, failed: 0, worker_lost: 1 });
});

t.test('the text summary shows the same columns', async (t) => {
  const text = analyze();
  const header = text.split('\n').find((l) => l.startsWith('decision'));
  t.match(header, /decision\s+sessions\s+ok\s+stopped\s+failed\s+worker lost\s+unfinished/);
  const cells = (name: string) => text.split('\n').find((l) => l.startsWith(`${name} `))?.trim().split(/\s{2,}/).slice(0, 7);
  t.same(cells('remote'), ['remote', '2', '0', '1', '0', '1', '0'], 'remote: one stopped, one worker lost, none failed');
  t.same(cells('fallback'), ['fallback', '2', '1', '1', '0', '0', '0'], 'fallback: one ok, one stopped by Plex while local');
  t.match(text, /Why sessions fell back[\s\S]*no-healthy-worker/);
  const workers = text.slice(text.indexOf('Workers'));
  t.match(workers, /worker\s+sessions\s+remote\s+fell back\s+ok\s+stopped\s+failed\s+lost/);
  const workerCells = (name: string) => workers.split('\n').find((l) => l.startsWith(`${name} `))?.trim().split(/\s{2,}/).slice(0, 8);
  t.same(workerCells('stopped'), ['stopped', '1', '1', '0', '0', '1', '0', '0'], 'the worker Plex stopped: one stop');
  t.same(workerCells('lost'), ['lost', '1', '1', '0', '0', '0', '0', '1'], 'the worker that died: one lost');
});

t.test('--detail says why each ended', async (t) => {
  const rows = await readSessions(dir);
  const detail = (cwd: string) => JSON.parse(analyze('--detail', rows.find((r) => r.cwd === cwd)?.id ?? '', '--json')).session;
  t.match(detail(stopCwd), { outcome: 'stopped', ended_by: 'plex-stop', exit_code: 255 });
  t.match(detail(lostCwd), { outcome: 'worker-lost', ended_by: 'worker-lost' });
  t.match(detail(fallbackCwd), { outcome: 'ok', decision: 'fallback', fallback_reason: 'no-healthy-worker' });
  t.match(detail(localCwd), { outcome: 'stopped', ended_by: 'plex-stop', exit_code: 255 });
});
