import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { FAKE_FFMPEG, processGroup, startWorker, waitForEnd, type RunningWorker } from './helpers.ts';

// A worker running the fake ffmpeg (test/worker/fixtures): each job's output name picks its behaviour.
const dir = realpathSync(t.testdir({ media: { 'in.mkv': 'x' }, tx: { sess: {} } }));
const config = { ffmpegPath: FAKE_FFMPEG, stallTimeoutS: 1, maxJobs: 4, mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')] };
const start = () => startWorker(dir, config);
const transcode = async (worker: RunningWorker, output: string) => {
  const { status, json } = await worker.request('POST', '/transcode', { session_id: `s-${output}`, argv: ['-i', join(dir, 'media', 'in.mkv'), output], env: {}, cwd: join(dir, 'tx', 'sess') });
  if (status !== 202) throw new Error(`refused: ${JSON.stringify(json)}`);
  return json.job_id as string;
};
const ffmpegPid = async (worker: RunningWorker, jobId: string) =>
  (await worker.waitForLog((l) => l.job_id === jobId && l.msg === 'job started')).ffmpeg_pid as number;

t.test('outcomes: completed, failed with stderr, stalled, and a forced kill of an ffmpeg that ignores SIGTERM', async (t) => {
  const worker = await start();
  t.teardown(() => worker.stop());
  t.match((await worker.request('GET', '/health', undefined, {})).json, { hwaccel: 'nvenc', encoders: ['h264_nvenc'] }, 'the probe chose what passed a test encode');

  const ok = await transcode(worker, 'ok.out');
  t.match(await waitForEnd(worker, ok), { state: 'completed', exit_code: 0, progress: { out_time_s: 1, speed: 2.5, fps: 50 } });

  const failed = await transcode(worker, 'fail.out');
  t.match(await waitForEnd(worker, failed), { state: 'failed', exit_code: 1, error_code: 'FFMPEG_FAILED' });
  const line = await worker.waitForLog((l) => l.job_id === failed && l.msg === 'job failed: ffmpeg exited with code 1');
  t.match(line, { level: 'error', session_id: 's-fail.out', stderr: ['first line', '[matroska @ 0x1] the last words of a broken file'] });

  const stalled = await transcode(worker, 'stall.out');
  const stalledGroup = await ffmpegPid(worker, stalled);
  t.match(await waitForEnd(worker, stalled), { state: 'failed', error_code: 'JOB_STALLED', error: /no progress from ffmpeg for 1 s/ });
  t.same(processGroup(stalledGroup), [], 'the stalled job left nothing behind (its sleep child included)');

  const stubborn = await transcode(worker, 'ignore-term.out');
  const stubbornGroup = await ffmpegPid(worker, stubborn);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  t.equal((await worker.request('GET', `/status/${stubborn}`)).json.state, 'running', 'progress keeps it from stalling');
  t.ok(processGroup(stubbornGroup).length >= 2, 'the fake and its child run');
  t.match(await worker.request('DELETE', `/jobs/${stubborn}`), { status: 200, json: { state: 'cancelled', signal: 'SIGKILL' } });
  t.same(processGroup(stubbornGroup), [], 'SIGKILL took the whole group when SIGTERM was ignored');
});

t.test('SIGTERM: new work refused, running jobs cancelled, no ffmpeg left, exit 0', async (t) => {
  const worker = await start();
  const jobs = [await transcode(worker, 'ignore-term.out'), await transcode(worker, 'stall.out')];
  const groups = await Promise.all(jobs.map((job) => ffmpegPid(worker, job)));
  worker.proc.kill('SIGTERM');
  await worker.waitForLog((l) => l.msg === 'stopping: refusing new jobs, cancelling running ones');
  // The job that ignores SIGTERM keeps the worker draining long enough to ask.
  t.match(await worker.request('POST', '/transcode', { session_id: 's', argv: ['-i', 'x', 'ok.out'], cwd: join(dir, 'tx', 'sess') }), { status: 503, json: { error: /shutting down/ } });
  t.match(await worker.request('GET', '/health', undefined, {}), { status: 503, json: { status: 'stopping' } });
  t.same(await worker.exited, { code: 0, signal: null });
  for (const group of groups) t.same(processGroup(group), [], `process group ${group} is gone`);
  for (const job of jobs) t.ok(worker.logs.some((l) => l.job_id === job && l.msg === 'job cancelled: the worker is shutting down'));
  t.ok(worker.logs.some((l) => l.msg === 'stopped'));
});
