// Worker choice and every fallback path: no worker, unreachable, silent, full, refusing, unable;
// with fallbackToLocal the real transcoder gets the identical argv, env and cwd; without it, a
// clear message and a non-zero exit.
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { readFakeRealCalls } from '../harness/index.ts';
import { API_KEY, installShim, makeMedia, plexEnv, readSessions, runShim, writeConfig } from './helpers.ts';
import { healthBody, line, startFakeWorker, startRealWorker, startSilentServer, type FakeWorker } from './workers.ts';

const dir = realpathSync(t.testdir({ tx: { s: {} } }));
const cwd = join(dir, 'tx', 's');
const plex = await installShim(dir);
const IN = makeMedia(join(dir, 'media', 'in.mkv'), 1);
const argv = (out: string, codec = 'libx264') => ['-i', IN, '-c:v', codec, '-c:a', 'aac', '-f', 'mp4', out];

/** Runs `out`'s transcode with `workers`; returns the run, the real transcoder's call (if any) and the session row. */
async function transcode(out: string, workers: { url: string; name?: string; storage?: string }[], extra: Record<string, unknown> = {}, codec?: string) {
  const config = writeConfig(dir, { workers: workers.map((w) => ({ apiKey: API_KEY, ...w })), healthTimeoutMs: 400, ...extra });
  const env = plexEnv({ PLEXBEAM_CONFIG: config });
  const run = await runShim(plex, argv(out, codec), { env, cwd });
  const real = (await readFakeRealCalls(plex.realLog)).find((c) => c.argv.includes(out));
  const row = (await readSessions(dir)).find((r) => r.argv.includes(out));
  return { run, real, row, env };
}

/** A fake worker that accepts and completes at once (exit 0). */
const accepting = (free = 2, encoders?: string[], hwaccel?: string) =>
  startFakeWorker({ health: { body: healthBody(free, encoders, hwaccel) }, link: (res) => res.end(line({ type: 'hello', protocol: 1 }) + line({ type: 'exit', id: 1, state: 'completed', code: 0, signal: null })) });

t.test('no worker configured: the real transcoder, identical argv, env and cwd', async (t) => {
  const { run, real, row, env } = await transcode('none.mp4', []);
  t.equal(run.code, 0);
  t.same(real?.argv, argv('none.mp4'));
  t.equal(real?.cwd, cwd);
  t.same(real?.env, { ...env, PWD: cwd, PLEXBEAM_FAKE_REAL_LOG: plex.realLog });
  t.match(row, { decision: 'fallback', fallbackReason: 'no-worker-configured', reason: 'no worker configured', worker: null, exitCode: 0, endedBy: 'exit' });
});

t.test('an unreachable worker: fallback, saying why', async (t) => {
  const { run, real, row } = await transcode('unreachable.mp4', [{ url: 'http://127.0.0.1:9', name: 'off' }]);
  t.equal(run.code, 0);
  t.ok(real, 'ran locally');
  t.match(row, { decision: 'fallback', fallbackReason: 'no-healthy-worker', reason: /off unreachable \(ECONNREFUSED\)/ });
});

t.test('a worker that accepts connections but never answers costs at most healthTimeoutMs', async (t) => {
  const silent = await startSilentServer();
  t.teardown(() => silent.close());
  const { run, real, row } = await transcode('silent.mp4', [{ url: silent.url, name: 'hung' }]);
  t.equal(run.code, 0);
  t.ok(real, 'ran locally');
  t.match(row, { decision: 'fallback', fallbackReason: 'no-healthy-worker', reason: /hung no answer within 400 ms/ });
  t.comment(`the whole run took ${run.ms} ms (healthTimeoutMs 400; bench row 3b measures it)`);
});

t.test('a full worker (health) and one that cannot encode the codec are passed over', async (t) => {
  const full = await accepting(0);
  const h264only = await accepting(2, ['libx264']);
  t.teardown(() => Promise.all([full.close(), h264only.close()]));
  const { real, row } = await transcode('passed.mp4', [{ url: full.url, name: 'full' }, { url: h264only.url, name: 'h264' }], {}, 'libx265');
  t.ok(real, 'ran locally');
  t.match(row, { decision: 'fallback', fallbackReason: 'workers-full', reason: /full full \(2\/2 jobs\); h264 cannot encode libx265/ });
  t.notOk([...full.requests, ...h264only.requests].some((r) => r.url === '/transcode'), 'neither was asked to transcode');
});

t.test('the most free capacity wins; a refusal (503, 403) passes the job to the next worker', async (t) => {
  const busy = await startFakeWorker({ health: { body: healthBody(8) }, transcode: { status: 503, body: { error: 'full' } } });
  const picky = await startFakeWorker({ health: { body: healthBody(6) }, transcode: { status: 403, body: { error: 'input outside mediaRoots' } } });
  const spare = await accepting(1);
  const roomy = await accepting(4);
  const workers: FakeWorker[] = [busy, picky, spare, roomy];
  t.teardown(() => Promise.all(workers.map((w) => w.close())));
  const { run, real, row } = await transcode('chosen.mp4', [{ url: spare.url, name: 'spare' }, { url: busy.url, name: 'busy' }, { url: roomy.url, name: 'roomy' }, { url: picky.url, name: 'picky' }]);
  t.equal(run.code, 0, run.stderr);
  t.notOk(real, 'nothing ran locally');
  t.match(row, { decision: 'remote', worker: 'roomy', exitCode: 0 });
  t.same(workers.map((w) => w.requests.filter((r) => r.url === '/transcode').length), [1, 1, 0, 1], 'busy (8 free), then picky (6), then roomy (4); spare (1) never asked');
  const posted = roomy.requests.find((r) => r.url === '/transcode');
  t.match(posted, { headers: { 'x-api-key': API_KEY }, body: { argv: argv('chosen.mp4'), cwd, session_id: row?.id } });
  t.notOk('X_PLEX_TOKEN' in posted?.body.env, 'the token is not sent');
  t.match(posted?.body.env, { LANG: 'en_US.UTF-8', PLEX_MEDIA_SERVER_HOME: '/usr/lib/plexmediaserver' }, "the rest of Plex's environment is");
});

t.test('every worker refusing: fallback with each reason', async (t) => {
  const busy = await startFakeWorker({ transcode: { status: 503, body: { error: 'full' } } });
  const picky = await startFakeWorker({ transcode: { status: 403, body: { error: 'a path outside mediaRoots' } } });
  t.teardown(() => Promise.all([busy.close(), picky.close()]));
  const { real, row } = await transcode('refused.mp4', [{ url: busy.url, name: 'busy' }, { url: picky.url, name: 'picky' }]);
  t.ok(real, 'ran locally');
  t.match(row, { decision: 'fallback', fallbackReason: 'worker-refused', reason: /full or stopping \(HTTP 503: full\).*refused the job \(HTTP 403: a path outside mediaRoots\)/ });
});

t.test('a worker that accepts the job but whose link fails before anything reached Plex: fallback', async (t) => {
  const gone = await startFakeWorker({ health: { body: healthBody() } });
  t.teardown(() => gone.close());
  const { run, real, row } = await transcode('unlinked.mp4', [{ url: gone.url, name: 'gone' }]);
  t.equal(run.code, 0);
  t.ok(real, 'ran locally');
  t.match(row, { decision: 'fallback', fallbackReason: 'link-failed', worker: 'gone', reason: /gone accepted the job but its link failed: the link answered HTTP 404/ });
  t.ok(gone.requests.some((r) => r.method === 'DELETE' && r.url === '/jobs/job-1'), 'the job was cancelled there');
});

t.test('a real worker refusing an input outside its mediaRoots (403): fallback', async (t) => {
  const worker = await startRealWorker(dir, { mediaRoots: [join(dir, 'elsewhere')], transcodeRoots: [join(dir, 'tx')] });
  t.teardown(() => worker.stop());
  const { run, real, row } = await transcode('forbidden.mp4', [{ url: worker.url, name: 'strict', storage: 'shared' }]);
  t.equal(run.code, 0);
  t.ok(real, 'ran locally');
  t.match(row, { decision: 'fallback', fallbackReason: 'worker-refused', reason: /strict refused the job \(HTTP 403/ });
});

t.test('fallbackToLocal false: a clear message and a non-zero exit, nothing run', async (t) => {
  const { run, real, row } = await transcode('strict.mp4', [{ url: 'http://127.0.0.1:9', name: 'off' }], { fallbackToLocal: false });
  t.equal(run.code, 1);
  t.match(run.stderr, /^plexbeam: no worker could take the job: off unreachable \(ECONNREFUSED\); not running it locally because fallbackToLocal is false\n$/);
  t.notOk(real, 'Plex Transcoder.real did not run');
  t.match(row, { decision: 'fallback', exitCode: 1, endedBy: 'not-run', reason: /fallbackToLocal is false: not run/ });
});
