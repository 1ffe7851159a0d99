// Live play first: a live transcode (POST /transcode) arriving while a library re-encode runs
// stops the library ffmpeg (SIGSTOP to its process group, state T in /proc) before the live job
// starts, and continues it once no live job is left; the library job then completes with a valid
// file. A library job asked for while a live one runs waits for it; a paused one can be cancelled.
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { libraryTempName } from '../../core/wire/library.ts';
import { readProcStat } from '../../worker/proc-stat.ts';
import { waitForEnd, type RunningWorker } from './helpers.ts';
import { libraryFfmpeg, startInProcessWorker, waitForLibraryEnd, waitForLibraryStatus } from './library-helpers.ts';
import { decodeErrors, makeLibraryClip, probeClip, sha256 } from './library-media.ts';

const bwrapWorks = spawnSync('bwrap', ['--unshare-all', '--ro-bind', '/', '/', 'true']).status === 0;
const dir = realpathSync(t.testdir({ media: {}, tx: { sess: {} } }));
const media = join(dir, 'media');
let worker: RunningWorker;
let input: string;

t.before(async () => {
  input = await makeLibraryClip(join(media, 'Film.mkv'), 'h264-mkv', { seconds: 8, size: '320x240' });
  worker = await startInProcessWorker(dir, { mediaRoots: [media], transcodeRoots: [join(dir, 'tx')], confinement: bwrapWorks ? 'bubblewrap' : 'unconfined' });
});
t.teardown(() => worker?.stop());

/** Starts a live transcode that runs `seconds` of real time (-re). */
const startLive = async (name: string, seconds = 3) => {
  const argv = ['-re', '-i', input, '-t', String(seconds), '-map', '0:v', '-c', 'copy', name];
  const { status, json } = await worker.request('POST', '/transcode', { session_id: `live-${name}`, argv, env: {}, cwd: join(dir, 'tx', 'sess') });
  if (status !== 202) throw new Error(`live job refused: ${JSON.stringify(json)}`);
  return json.job_id as string;
};
const state = (pid: number) => readProcStat(pid)?.state;
/** The state of `pid` once it is `wanted`, or whatever it is after 2 s (a stop takes effect when the kernel next runs the task). */
const stateOnce = async (pid: number, wanted: string) => {
  for (const deadline = Date.now() + 2000; state(pid) !== wanted && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 10));
  return state(pid);
};

t.test('a live transcode pauses the running library job at once and it resumes and completes after', async (t) => {
  const before = sha256(input);
  const output = join(media, libraryTempName('Film.mkv', 'live1'));
  const { json } = await worker.request('POST', '/library/jobs', { input, output, codec: 'hevc' });
  const started = await worker.waitForLog((l) => l.library_job === json.id && l.msg === 'library job started');
  const ffmpeg = await libraryFfmpeg(started.ffmpeg_pid as number);
  t.not(state(ffmpeg), 'T', 'the library ffmpeg runs');

  const live = await startLive('live1.mkv');
  t.equal(await stateOnce(ffmpeg, 'T'), 'T', 'stopped (T) as soon as the live job is accepted');
  const liveStarted = await worker.waitForLog((l) => l.job_id === live && l.msg === 'job started');
  t.equal(state(ffmpeg), 'T', 'still stopped once the live ffmpeg runs');
  const paused = await worker.request('GET', `/library/jobs/${json.id}`);
  t.match(paused.json, { state: 'paused', etaS: null }, 'GET says paused, with no ETA');
  t.match((await worker.request('GET', '/health')).json, { library: { running: 0, paused: 1, queued: 0 } }, '/health counts it paused');
  t.ok(worker.logs.some((l) => l.library_job === json.id && l.msg === 'library job paused: a live transcode comes first'), 'a log line says why');
  t.not(state(liveStarted.ffmpeg_pid as number), 'T', 'the live ffmpeg is not stopped');
  t.match(await waitForEnd(worker, live), { state: 'completed', exit_code: 0 }, 'the live job completes');
  await worker.waitForLog((l) => l.library_job === json.id && l.msg === 'library job resumed: no live transcode runs');
  const done = await waitForLibraryEnd(worker, json.id);
  t.match(done, { state: 'completed', percent: 100 }, 'the library job completes afterwards');
  const [source, result] = [await probeClip(input), await probeClip(output)];
  t.equal(result.streams[0]?.codec, 'hevc');
  t.same(result.streams.slice(1), source.streams.slice(1), 'every other stream kept');
  t.same(result.chapters, source.chapters, 'the chapters kept');
  t.ok(Math.abs(result.duration - source.duration) < 0.5, `same duration (${result.duration} vs ${source.duration} s)`);
  t.equal(await decodeErrors(output), '', 'a valid file: it decodes without an error');
  t.equal(sha256(input), before, 'the original is byte-identical');
});

t.test('a library job asked for while a live one runs waits for it; a paused job can be cancelled', async (t) => {
  const live = await startLive('live2.mkv', 2);
  await worker.waitForLog((l) => l.job_id === live && l.msg === 'job started');
  const output = join(media, libraryTempName('Film.mkv', 'live2'));
  const { status, json } = await worker.request('POST', '/library/jobs', { input, output, codec: 'av1' });
  t.match({ status, json }, { status: 201, json: { state: 'queued' } }, 'accepted, queued behind the live job');
  t.equal((await worker.request('GET', `/library/jobs/${json.id}`)).json.state, 'queued', 'still queued while the live job runs');
  await waitForEnd(worker, live);
  const running = await waitForLibraryStatus(worker, json.id, (s) => s.state === 'running');
  t.equal(running.state, 'running', 'it starts once no live job is left');
  const started = await worker.waitForLog((l) => l.library_job === json.id && l.msg === 'library job started');
  const ffmpeg = await libraryFfmpeg(started.ffmpeg_pid as number);

  const again = await startLive('live3.mkv', 4);
  t.equal(await stateOnce(ffmpeg, 'T'), 'T', 'paused by the next live job');
  const cancelled = await worker.request('DELETE', `/library/jobs/${json.id}`);
  t.match(cancelled, { status: 200, json: { state: 'cancelled' } }, 'a paused job is cancelled (continued so that it hears SIGTERM)');
  t.notOk(existsSync(output), 'its partial output is removed');
  t.equal(state(ffmpeg), undefined, 'its ffmpeg is gone');
  t.match(await waitForEnd(worker, again), { state: 'completed' }, 'the live job is not disturbed');
});
