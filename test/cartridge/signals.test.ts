// Stops and failures mid-stream, with real processes: Plex's SIGTERM cancels the remote job and
// leaves no ffmpeg anywhere; a SIGKILLed shim takes its job with it; a dead worker never hangs
// the shim. Time bounds encode the spec (1 s, 5 s) with a margin for a loaded 2-core test machine.
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { startFakePms } from '../harness/index.ts';
import { API_KEY, installShim, makeMedia, plexEnv, processesWith, readSessions, startShim, until, writeConfig } from './helpers.ts';
import { healthBody, startFakeWorker, startRealWorker, type RealWorker } from './workers.ts';

const dir = realpathSync(t.testdir({ tx: { term: {}, kill: {}, dead: {}, early: {} } }));
const IN = makeMedia(join(dir, 'media', 'in.mkv'));
const roots = { mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')] };
const worker = await startRealWorker(dir, roots);
t.teardown(() => worker.stop());
const pms = await startFakePms();
t.teardown(() => pms.close());
const plex = await installShim(dir);
const SESSION = '/video/:/transcode/session/sig/1';

/** An endless live-paced transcode (Plex's HLS shape) into session folder `name`. */
const endless = (name: string) => ['-re', '-stream_loop', '-1', '-i', IN, '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '24', '-c:a', 'aac',
  '-f', 'hls', '-hls_time', '1', '-method', 'PUT', `${pms.url}${SESSION}/${name}/index.m3u8`];
const configFor = (w: { url: string }) => writeConfig(dir, { workers: [{ url: w.url, apiKey: API_KEY, name: 'gpu' }] });

/** Starts the endless job through `w` and waits for its first segment to reach Plex; returns the run and the job. */
async function startMidStream(w: RealWorker, name: string) {
  const cwd = join(dir, 'tx', name);
  const run = startShim(plex, endless(name), { env: plexEnv({ PLEXBEAM_CONFIG: configFor(w) }), cwd });
  await pms.waitFor((r) => r.path === `${SESSION}/${name}/index.m3u8`, 20_000);
  const started = await w.waitForLog((l) => l.msg === 'job started' && l.cwd === cwd);
  // ffmpeg's command line holds Plex's path (inside the rewritten callback URL): how to find it in /proc.
  return { run, cwd, jobId: started.job_id as string, ffmpegPid: started.ffmpeg_pid as number, needle: `${SESSION}/${name}/` };
}

t.test('SIGTERM mid-stream cancels the remote job and exits within a second, leaving no ffmpeg', async (t) => {
  const { run, cwd, jobId, ffmpegPid, needle } = await startMidStream(worker, 'term');
  t.ok(processesWith(needle).includes(ffmpegPid), 'ffmpeg runs on the worker');
  const sent = Date.now();
  run.proc.kill('SIGTERM');
  const end = await run.exited;
  const took = end.endedAt - sent;
  t.comment(`exited ${took} ms after SIGTERM (spec: 1 s; bench row 10a measures it)`);
  t.same({ code: end.code, signal: end.signal }, { code: 255, signal: null }, 'exit 255, as ffmpeg after SIGTERM');
  t.same(processesWith(needle), [], 'no ffmpeg left running');
  t.match(await worker.status(jobId), { state: 'cancelled', error_code: 'JOB_CANCELLED' });
  t.match((await readSessions(dir)).find((r) => r.cwd === cwd), { decision: 'remote', exitCode: 255, error: 'cancelled by SIGTERM' });
});

t.test('a SIGKILLed shim takes its job with it: the worker kills it within 5 s', async (t) => {
  const { run, jobId, needle } = await startMidStream(worker, 'kill');
  const killed = Date.now();
  run.proc.kill('SIGKILL');
  await run.exited;
  const status = await until(async () => {
    const s = await worker.status(jobId);
    return s.state === 'running' ? undefined : s;
  }, 15_000, 'the job ends');
  const took = Date.now() - killed;
  t.match(status, { state: 'cancelled', error_code: 'JOB_LINK_LOST' });
  t.comment(`job killed ${took} ms after the shim (spec: 5 s; bench row 10b measures it)`);
  t.same(processesWith(needle), [], 'no ffmpeg left running');
});

t.test('a worker that dies mid-stream: the shim exits non-zero within 5 s so that Plex restarts the transcode', async (t) => {
  const doomed = await startRealWorker(join(dir), roots);
  t.teardown(() => doomed.stop('SIGKILL'));
  // The dead worker's orphaned ffmpeg is not the shim's to clean up, but the test's, pass or fail.
  t.teardown(() => {
    for (const pid of processesWith(`${SESSION}/dead/`)) process.kill(pid, 'SIGKILL');
  });
  const { run, cwd } = await startMidStream(doomed, 'dead');
  const died = Date.now();
  doomed.proc.kill('SIGKILL');
  const end = await run.exited;
  const took = end.endedAt - died;
  t.comment(`shim exited ${took} ms after the worker died (spec: 5 s)`);
  t.equal(end.code, 1);
  t.match(run.stderr(), /plexbeam: lost the worker gpu mid-transcode: .*; exiting so that Plex restarts the transcode\n$/);
  t.match((await readSessions(dir)).find((r) => r.cwd === cwd), { decision: 'remote', exitCode: 1, error: /lost the worker/ });
});

t.test('SIGTERM while the job is being dispatched: the job the worker accepts is cancelled at once', async (t) => {
  const fake = await startFakeWorker({ health: { body: healthBody() }, transcode: { status: 202, delayMs: 600 }, link: () => undefined });
  t.teardown(() => fake.close());
  const run = startShim(plex, endless('early'), { env: plexEnv({ PLEXBEAM_CONFIG: configFor(fake) }), cwd: join(dir, 'tx', 'early') });
  // The dispatch is on the wire and its answer (the job id) 600 ms away: a loaded machine may take
  // longer than the health check to send it, so wait for the request itself.
  await until(() => fake.requests.find((r) => r.method === 'POST' && r.url === '/transcode'), 10_000, 'the dispatch');
  run.proc.kill('SIGTERM');
  const end = await run.exited;
  t.same({ code: end.code, signal: end.signal }, { code: 255, signal: null });
  t.ok(fake.requests.some((r) => r.method === 'DELETE' && r.url === '/jobs/job-1'), 'the accepted job was cancelled');
});
