// The worker's library re-encode API (docs/WORKER.md "Library re-encode") through a real worker
// (the built CLI) on 127.0.0.1 with the real ffmpeg: H.264/MKV and HEVC/MP4 clips with two audio
// tracks, a subtitle, an attachment (MKV) and chapters, re-encoded to AV1 (SVT-AV1) and HEVC
// (x265) in software; every other stream and the chapters kept; bad requests refused with a 4xx
// naming the problem; the job's bubblewrap sandbox shows it only its input and its output.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { readHealth } from '../../core/wire/health.ts';
import { libraryTempName } from '../../core/wire/library.ts';
import { FAKE_FFMPEG, type RunningWorker } from './helpers.ts';
import { decodeErrors, makeLibraryClip, probeClip, sha256 } from './library-media.ts';
import { libraryFfmpeg, processNice, startInProcessWorker, threadPolicies, waitForLibraryEnd, waitForLibraryStatus } from './library-helpers.ts';

const bwrapWorks = spawnSync('bwrap', ['--unshare-all', '--ro-bind', '/', '/', 'true']).status === 0;
const bwrapSkip = bwrapWorks ? false : 'bubblewrap (bwrap) is missing or cannot create namespaces here';
const dir = realpathSync(t.testdir({ media: { Films: {}, Other: {} }, outside: {}, tx: {} }));
const films = join(dir, 'media', 'Films');
const confinement = bwrapWorks ? 'bubblewrap' : 'unconfined';
let worker: RunningWorker;

t.before(async () => {
  await makeLibraryClip(join(films, 'H264 Film.mkv'), 'h264-mkv');
  await makeLibraryClip(join(films, 'HEVC Film.mp4'), 'hevc-mp4');
  worker = await startInProcessWorker(dir, { mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')], confinement });
});
t.teardown(() => worker?.stop());

const outputFor = (input: string, tag: string) => join(films, libraryTempName(input.slice(films.length + 1), tag));

t.test('re-encodes to AV1 and HEVC: video codec changed, every audio, subtitle and attachment stream and the chapters kept', async (t) => {
  const cases = [
    { input: join(films, 'H264 Film.mkv'), codec: 'av1', encoder: 'libsvtav1', video: 'av1', tag: '' },
    { input: join(films, 'H264 Film.mkv'), codec: 'hevc', encoder: 'libx265', video: 'hevc', tag: '' },
    { input: join(films, 'HEVC Film.mp4'), codec: 'av1', encoder: 'libsvtav1', video: 'av1', tag: 'av01' },
    // HEVC in MP4 is tagged hvc1 (what Apple players need).
    { input: join(films, 'HEVC Film.mp4'), codec: 'hevc', encoder: 'libx265', video: 'hevc', tag: 'hvc1' },
  ] as const;
  for (const c of cases) {
    const before = sha256(c.input);
    const source = await probeClip(c.input);
    const output = outputFor(c.input, `t${c.codec}${c.video}`);
    const { status, json } = await worker.request('POST', '/library/jobs', { input: c.input, output, codec: c.codec, ...(c.codec === 'hevc' ? { quality: 30 } : {}) });
    t.equal(status, 201, `${c.input} → ${c.codec}: accepted (${JSON.stringify(json)})`);
    t.match(json, { id: /^[0-9a-f-]{36}$/, codec: c.codec, encoder: c.encoder, input: c.input, output });
    const done = await waitForLibraryEnd(worker, json.id);
    t.match(done, { state: 'completed', percent: 100, etaS: 0, error: null }, `${c.codec}: completed`);
    t.ok(done.speed > 0, `${c.codec}: a speed (${done.speed}× real time)`);
    const result = await probeClip(output);
    t.equal(result.streams[0]?.codec, c.video, `${c.codec}: the video is ${c.video} now`);
    if (c.tag !== '') t.equal(result.streams[0]?.tag, c.tag, `${c.codec}: tagged ${c.tag} in MP4`);
    t.same(result.streams.slice(1), source.streams.slice(1), `${c.codec}: every other stream kept, in order, with its language`);
    t.same(result.chapters, source.chapters, `${c.codec}: the chapters kept`);
    t.ok(Math.abs(result.duration - source.duration) < 0.5, `${c.codec}: same duration (${result.duration} vs ${source.duration} s)`);
    t.equal(await decodeErrors(output), '', `${c.codec}: decodes without an error`);
    t.equal(sha256(c.input), before, `${c.codec}: the original is byte-identical`);
    const status2 = await worker.request('GET', `/library/jobs/${json.id}`);
    t.match(status2, { status: 200, json: { id: json.id, state: 'completed' } }, 'GET /library/jobs/:id answers after the end');
  }
  const listed = await worker.request('GET', '/library/jobs');
  t.match(listed.json, { running: 0, paused: 0, queued: 0, max: 1 });
  t.equal(listed.json.jobs.length, cases.length, 'GET /library/jobs lists them');
  const health = (await worker.request('GET', '/health')).json;
  t.match(health, { library: { running: 0, paused: 0, queued: 0, max: 1 } }, '/health counts library jobs');
  t.same(readHealth(health).health?.library, { running: 0, paused: 0, queued: 0, max: 1 }, "the Plex side's reader (core/wire/health.ts) reads them");
  t.equal(readHealth({ ...health, library: { ...health.library, paused: -1 } }).health?.library, undefined, 'a malformed library field is left out, the rest read');
});

t.test('bad requests: a clear 4xx naming the problem, and nothing written', async (t) => {
  const input = join(films, 'H264 Film.mkv');
  const ok = { input, output: outputFor(input, 'bad1'), codec: 'av1' };
  mkdirSync(join(films, 'folder.mkv'));
  writeFileSync(join(dir, 'outside', 'Secret.mkv'), 'x');
  writeFileSync(join(films, 'notes.txt'), 'x');
  symlinkSync(input, join(films, 'Link.mkv'));
  symlinkSync(join(dir, 'outside'), join(films, 'Escape'));
  writeFileSync(join(films, '.H264 Film.plexbeam-taken.mkv'), 'someone else\'s');
  const before = readdirSync(films).sort();
  const refused: [unknown, number, RegExp][] = [
    ['[1]', 400, /expected a JSON object, got/],
    ['{', 400, /not valid JSON/],
    [{ ...ok, argv: ['-i', '/etc/passwd'] }, 400, /unknown field "argv": a library job takes only input, output, codec and quality/],
    [{ ...ok, input: 'Films/H264 Film.mkv' }, 400, /input: expected an absolute path without/],
    [{ ...ok, input: 7 }, 400, /input: expected an absolute path, got `7` \(number\)/],
    [{ ...ok, input: `${films}/../Films/H264 Film.mkv` }, 400, /input: expected an absolute path without "\.", "\.\." or "\/\/"/],
    [{ ...ok, output: undefined }, 400, /output: expected an absolute path, got `undefined`/],
    [{ ...ok, codec: 'vp9' }, 400, /codec: expected "av1" or "hevc", got `"vp9"` \(string\)/],
    [{ ...ok, quality: 64 }, 400, /quality: expected a whole number from 0 to 63 for av1, got `64`/],
    [{ ...ok, codec: 'hevc', quality: 52 }, 400, /quality: expected a whole number from 0 to 51 for hevc/],
    [{ ...ok, quality: 2.5 }, 400, /quality: expected a whole number/],
    [{ ...ok, input: join(films, 'notes.txt') }, 400, /is not a file a library job re-encodes \(\.mkv, \.mp4, \.m4v or \.mov\)/],
    [{ ...ok, input: join(dir, 'outside', 'Secret.mkv'), output: join(dir, 'outside', '.Secret.plexbeam-bad1.mkv') }, 403, /is outside the allowed folders \(worker\.mediaRoots\)/],
    [{ ...ok, input: join(films, 'Escape', 'Secret.mkv'), output: join(films, 'Escape', '.Secret.plexbeam-bad1.mkv') }, 403, /is outside the allowed folders/],
    [{ ...ok, input: join(films, 'Missing.mkv') }, 403, /Missing\.mkv" does not exist/],
    [{ ...ok, input: join(films, 'Gone', 'Missing.mkv') }, 403, /Missing\.mkv" does not exist/],
    [{ ...ok, input: join(films, 'Link.mkv'), output: join(films, '.Link.plexbeam-bad1.mkv') }, 403, /is a symlink: name the file itself/],
    [{ ...ok, input: join(films, 'folder.mkv'), output: join(films, '.folder.plexbeam-bad1.mkv') }, 403, /is not a regular file/],
    [{ ...ok, input: join(films, '.H264 Film.plexbeam-taken.mkv'), output: join(films, '..H264 Film.plexbeam-taken.plexbeam-bad1.mkv') }, 403, /is a library job's temporary file/],
    [{ ...ok, output: input }, 403, /output is the input/],
    [{ ...ok, output: join(dir, 'media', 'Other', '.H264 Film.plexbeam-bad1.mkv') }, 403, /must be in the input's folder/],
    [{ ...ok, output: join(films, 'H264 Film.av1.mkv') }, 403, /must be named "\.H264 Film\.plexbeam-TAG\.mkv" \(TAG: 4-32 letters or digits\)/],
    [{ ...ok, output: join(films, '.H264 Film.plexbeam-bad1.mp4') }, 403, /must be named/],
    [{ ...ok, output: join(films, '.H264 Film.plexbeam-taken.mkv') }, 403, /exists: a library job never overwrites a file/],
  ];
  for (const [body, status, message] of refused) {
    const answer = await worker.request('POST', '/library/jobs', body);
    t.equal(answer.status, status, `${status}: ${typeof body === 'string' ? body : JSON.stringify(body)}`);
    t.match(answer.json, { error: message, code: status === 400 ? 'WORKER_BAD_REQUEST' : 'WORKER_FORBIDDEN' });
  }
  t.match(await worker.request('POST', '/library/jobs', ok, {}), { status: 401 }, 'no API key: 401');
  t.match(await worker.request('GET', '/library/jobs/nope'), { status: 404, json: { error: 'no library job nope', code: 'WORKER_NOT_FOUND' } });
  t.match(await worker.request('DELETE', '/library/jobs/nope'), { status: 404, json: { error: 'no library job nope' } });
  t.same(readdirSync(films).sort(), before, 'no refused request created a file');
  t.equal(readFileSync(join(films, '.H264 Film.plexbeam-taken.mkv'), 'utf8'), 'someone else\'s', 'the existing file is untouched');
});

t.test('library jobs off (worker.libraryJobs 0), or the worker draining: 503', async (t) => {
  const off = await startInProcessWorker(realpathSync(t.testdir({})), { mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')], confinement, libraryJobs: 0 });
  t.teardown(() => off.stop());
  const input = join(films, 'H264 Film.mkv');
  const body = { input, output: outputFor(input, 'off1'), codec: 'av1' };
  t.match(await off.request('POST', '/library/jobs', body), { status: 503, json: { error: /library jobs are off on this worker \(worker\.libraryJobs is 0\)/, code: 'WORKER_BUSY' } });
  t.match((await off.request('GET', '/health')).json, { library: { max: 0 } });
  t.match(await off.request('POST', '/drain'), { status: 200 });
  t.match(await off.request('POST', '/library/jobs', body), { status: 503, json: { error: /the worker is draining: it takes no new library job/ } });
  t.notOk(existsSync(body.output), 'nothing created');
});

t.test('confined by bubblewrap: the job sees only its input (read-only) and its output of the media folders', { skip: bwrapSkip }, async (t) => {
  // A longer clip, so the encode is caught running.
  const input = await makeLibraryClip(join(films, 'Long Film.mkv'), 'h264-mkv', { seconds: 30, size: '320x240' });
  writeFileSync(join(films, 'Neighbour.mkv'), 'a sibling the job must not see');
  const output = outputFor(input, 'conf1');
  const { json } = await worker.request('POST', '/library/jobs', { input, output, codec: 'hevc' });
  const started = await worker.waitForLog((l) => l.library_job === json.id && l.msg === 'library job started');
  t.equal(started.confinement, 'bubblewrap', 'the job started line says it is confined');
  const ffmpeg = await libraryFfmpeg(started.ffmpeg_pid as number);
  const seen = (path: string) => readdirSync(`/proc/${ffmpeg}/root${path}`).sort();
  t.ok(readdirSync(films).includes('Neighbour.mkv'), 'control: the sibling is in the folder');
  t.same(seen(films), ['.Long Film.plexbeam-conf1.mkv', 'Long Film.mkv'], "inside the sandbox: only the input and the output of the input's folder");
  t.notOk(existsSync(`/proc/${ffmpeg}/root${join(dir, 'media', 'Other')}`), 'another media folder is not there');
  t.notOk(existsSync(`/proc/${ffmpeg}/root${join(dir, 'outside')}`), 'nor anything outside the media roots');
  const mounts = readFileSync(`/proc/${ffmpeg}/mountinfo`, 'utf8').split('\n');
  const mountOf = (path: string) => mounts.find((line) => line.split(' ')[4] === path.replaceAll(' ', '\\040'));
  t.match(mountOf(input), /\sro[,\s]/, 'the input is bound read-only');
  t.match(mountOf(output), /\srw[,\s]/, 'the output file is bound writable');
  t.match(await worker.request('DELETE', `/library/jobs/${json.id}`), { status: 200, json: { state: 'cancelled' } });
});

t.test('progress while it runs (percent, speed, ETA); DELETE cancels, removes the partial output, leaves the original byte-identical', async (t) => {
  const input = await makeLibraryClip(join(films, 'Cancel Film.mkv'), 'h264-mkv', { seconds: 30, size: '320x240' });
  const before = sha256(input);
  const output = outputFor(input, 'cancel1');
  const { json } = await worker.request('POST', '/library/jobs', { input, output, codec: 'hevc' });
  const second = await worker.request('POST', '/library/jobs', { input, output: outputFor(input, 'queued1'), codec: 'av1' });
  t.match(second, { status: 201, json: { state: 'queued', percent: null, speed: null, etaS: null } }, 'one at a time (worker.libraryJobs 1): the second waits');
  t.ok(existsSync(outputFor(input, 'queued1')), 'its output is created (empty) at once, so no one else takes the name');
  t.match((await worker.request('GET', '/library/jobs')).json, { running: 1, queued: 1 });
  t.match(await worker.request('DELETE', `/library/jobs/${second.json.id}`), { status: 200, json: { state: 'cancelled', error: 'cancelled by the client' } }, 'a queued job is cancelled at once');
  t.notOk(existsSync(outputFor(input, 'queued1')), "the queued job's empty output is removed");

  const running = await waitForLibraryStatus(worker, json.id, (s) => s.percent > 0);
  t.match(running, { state: 'running', codec: 'hevc', encoder: 'libx265' });
  t.ok(running.percent > 0 && running.percent < 100, `percent (${running.percent})`);
  t.ok(running.speed > 0, `speed (${running.speed}× real time)`);
  t.ok(Number.isInteger(running.etaS) && running.etaS >= 0, `ETA (${running.etaS} s)`);
  t.ok(existsSync(output), 'a partial output is being written');
  const started = await worker.waitForLog((l) => l.library_job === json.id && l.msg === 'library job started');
  t.equal(started.nice, 19);
  t.equal(processNice(await libraryFfmpeg(started.ffmpeg_pid as number)), 19, 'its ffmpeg runs at the lowest CPU priority (nice 19): live play and the worker itself come first');
  const cancelled = await worker.request('DELETE', `/library/jobs/${json.id}`);
  t.match(cancelled, { status: 200, json: { id: json.id, state: 'cancelled', error: 'cancelled by the client' } });
  t.notOk(existsSync(output), 'the partial output is removed');
  t.equal(sha256(input), before, 'the original is byte-identical');
  t.match(await worker.request('GET', `/library/jobs/${json.id}`), { json: { state: 'cancelled' } });
  t.match(await worker.request('DELETE', `/library/jobs/${json.id}`), { status: 200, json: { state: 'cancelled' } }, 'a second DELETE answers the same');
  const log = await worker.waitForLog((l) => l.library_job === json.id && /^library job cancelled/.test(l.msg ?? ''));
  t.match(log, { state: 'cancelled', encoder: 'libx265' });
});

t.test('a finished output the client DELETEs is removed; the original stays', async (t) => {
  const input = join(films, 'H264 Film.mkv');
  const output = outputFor(input, 'done1');
  const { json } = await worker.request('POST', '/library/jobs', { input, output, codec: 'av1', quality: 50 });
  t.match(await waitForLibraryEnd(worker, json.id), { state: 'completed' });
  t.ok(existsSync(output));
  t.match(await worker.request('DELETE', `/library/jobs/${json.id}`), { status: 200, json: { state: 'completed' } }, 'it stays completed');
  t.notOk(existsSync(output), 'the output the client did not take is gone');
  t.ok(existsSync(input));
});

t.test('failures: an input ffprobe cannot read, an ffmpeg that fails, no encoder that works; each output removed', async (t) => {
  writeFileSync(join(films, 'Broken.mkv'), 'not a Matroska file at all');
  const broken = join(films, 'Broken.mkv');
  const { json } = await worker.request('POST', '/library/jobs', { input: broken, output: outputFor(broken, 'brk1'), codec: 'av1' });
  t.match(await waitForLibraryEnd(worker, json.id), { state: 'failed', error: /ffprobe/ }, 'failed, saying ffprobe could not read it');
  t.notOk(existsSync(outputFor(broken, 'brk1')), 'its output is removed');
  t.equal(readFileSync(broken, 'utf8'), 'not a Matroska file at all', 'the input untouched');

  // The fake ffmpeg passes no test encode but answers a probe-passed encoder's job by failing (exit 1).
  const fakeDir = realpathSync(t.testdir({}));
  const fake = await startInProcessWorker(fakeDir, { mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')], confinement, ffmpegPath: FAKE_FFMPEG },
    { candidates: [{ hwaccel: 'software', encoder: 'libx265', device: null, verdict: 'ok', reason: null, ms: 1 }] });
  t.teardown(() => fake.stop());
  const input = join(films, 'H264 Film.mkv');
  const failing = await fake.request('POST', '/library/jobs', { input, output: outputFor(input, 'fail1'), codec: 'hevc' });
  t.match(await waitForLibraryEnd(fake, failing.json.id), { state: 'failed', error: /^ffmpeg exited with code 1: fake-ffmpeg: no mode for:/ }, 'the exit code and ffmpeg\'s last line');
  t.notOk(existsSync(outputFor(input, 'fail1')), 'the partial output is removed');
  t.ok(fake.logs.some((l) => l.library_job === failing.json.id && l.level === 'error' && /^library job failed/.test(l.msg ?? '')), 'an error line in the log');
  const noEncoder = await fake.request('POST', '/library/jobs', { input, output: outputFor(input, 'none1'), codec: 'av1' });
  t.match(noEncoder, { status: 503, json: { error: 'this worker cannot encode av1: no av1 encoder passed a test encode', code: 'WORKER_BUSY' } });
  t.notOk(existsSync(outputFor(input, 'none1')), 'nothing created');
  t.ok(fake.logs.some((l) => l.msg === 'library encoder libsvtav1 failed a test encode'), 'the failed test encode is logged');
});

t.test('a worker shutting down cancels its library jobs and removes their outputs', async (t) => {
  const own = await startInProcessWorker(realpathSync(t.testdir({})), { mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')], confinement });
  const input = join(films, 'Cancel Film.mkv');
  const before = sha256(input);
  const running = await own.request('POST', '/library/jobs', { input, output: outputFor(input, 'stop1'), codec: 'hevc' });
  const queued = await own.request('POST', '/library/jobs', { input, output: outputFor(input, 'stop2'), codec: 'hevc' });
  await waitForLibraryStatus(own, running.json.id, (s) => s.percent > 0);
  await own.stop();
  t.notOk(existsSync(outputFor(input, 'stop1')), 'the running job\'s partial output is removed');
  t.notOk(existsSync(outputFor(input, 'stop2')), 'the queued job\'s empty output too');
  t.equal(sha256(input), before, 'the original is byte-identical');
  t.ok(own.logs.some((l) => l.library_job === running.json.id && l.msg === 'library job cancelled: the worker is shutting down'), 'the log says why');
  t.equal(queued.json.state, 'queued');
});

t.test('a second stop signal (killAll): the library ffmpeg is SIGKILLed, the job fails saying so, its output is removed', async (t) => {
  const own = await startInProcessWorker(realpathSync(t.testdir({})), { mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')], confinement });
  t.teardown(() => own.stop());
  const input = join(films, 'Cancel Film.mkv');
  const { json } = await own.request('POST', '/library/jobs', { input, output: outputFor(input, 'kill1'), codec: 'hevc' });
  await waitForLibraryStatus(own, json.id, (s) => s.percent > 0);
  own.server.jobs.killAll();
  t.match(await waitForLibraryEnd(own, json.id), { state: 'failed', error: /^ffmpeg (was killed by SIGKILL|exited with code)/ });
  t.notOk(existsSync(outputFor(input, 'kill1')), 'the partial output is removed');
});

for (const mode of ['bubblewrap', 'unconfined'] as const) {
  t.test(`${mode}: SVT-AV1 never gets realtime threads (SCHED_FIFO), even where the worker runs as root`, { skip: mode === 'bubblewrap' && !bwrapWorks ? bwrapSkip : false }, async (t) => {
    const own = mode === confinement ? worker : await startInProcessWorker(realpathSync(t.testdir({})), { mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')], confinement: mode });
    t.teardown(() => (own === worker ? undefined : own.stop()));
    const input = join(films, 'Cancel Film.mkv');
    const { json } = await own.request('POST', '/library/jobs', { input, output: outputFor(input, `rt${mode.slice(0, 4)}`), codec: 'av1' });
    const started = await own.waitForLog((l) => l.library_job === json.id && l.msg === 'library job started');
    t.equal(started.capabilities, 'none', 'the job started line says it runs without capabilities');
    await waitForLibraryStatus(own, json.id, (s) => s.percent > 0);
    const ffmpeg = await libraryFfmpeg(started.ffmpeg_pid as number);
    const policies = threadPolicies(ffmpeg);
    t.ok(policies.length > 1, `SVT-AV1's threads run (${policies.length})`);
    t.same(policies.filter((p) => p !== 0), [], 'every thread SCHED_OTHER (at nice 19)');
    t.equal(processNice(ffmpeg), 19);
    await own.request('DELETE', `/library/jobs/${json.id}`);
    if (mode === 'unconfined' && process.getuid?.() === 0) {
      // Control: the same encoder run by root with its capabilities does take SCHED_FIFO.
      const bare = spawn('ffmpeg', ['-nostdin', '-v', 'quiet', '-i', input, '-c:v', 'libsvtav1', '-preset', '8', '-f', 'null', '-'], { stdio: 'ignore' });
      t.teardown(() => bare.kill('SIGKILL'));
      let fifo = 0;
      for (const deadline = Date.now() + 10_000; fifo === 0 && Date.now() < deadline && bare.exitCode === null; ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        fifo = threadPolicies(bare.pid as number).filter((p) => p === 1).length;
      }
      t.ok(fifo > 0, `control: bare, as root, ${fifo} SVT-AV1 threads are SCHED_FIFO`);
      bare.kill('SIGKILL');
    }
  });
}

t.test('a library ffmpeg that stops sending progress fails (JOB_STALLED) and its output is removed; paused, it never stalls', async (t) => {
  const fakeDir = realpathSync(t.testdir({ bin: {}, media: { 'Film.mkv': 'x' }, tx: { sess: {} } }));
  // A stand-in ffmpeg: a live job (output live.out) reports progress every 0.2 s; a library job sends none.
  const fake = join(fakeDir, 'bin', 'ffmpeg');
  writeFileSync(fake, '#!/bin/sh\ncase " $* " in\n  *" live.out "*) while :; do printf \'out_time_us=1000\\nprogress=continue\\n\' >&3; sleep 0.2; done ;;\nesac\nexec sleep 300\n', { mode: 0o755 });
  const own = await startInProcessWorker(fakeDir, { mediaRoots: [join(dir, 'media')], transcodeRoots: [join(fakeDir, 'tx')], confinement, ffmpegPath: fake, stallTimeoutS: 2 },
    { candidates: [{ hwaccel: 'software', encoder: 'libx265', device: null, verdict: 'ok', reason: null, ms: 1 }] });
  t.teardown(() => own.stop());
  const input = join(films, 'H264 Film.mkv');
  const { json } = await own.request('POST', '/library/jobs', { input, output: outputFor(input, 'stall1'), codec: 'hevc' });
  await own.waitForLog((l) => l.library_job === json.id && l.msg === 'library job started');
  // At once (well within the 2 s): a live job pauses it.
  const live = await own.request('POST', '/transcode', { session_id: 'live', argv: ['-i', input, 'live.out'], env: {}, cwd: join(fakeDir, 'tx', 'sess') });
  t.equal(live.status, 202, JSON.stringify(live.json));
  await own.waitForLog((l) => l.job_id === live.json.job_id && l.msg === 'job started');
  await new Promise((resolve) => setTimeout(resolve, 3000));
  t.equal((await own.request('GET', `/library/jobs/${json.id}`)).json.state, 'paused', 'paused for 3 s behind the live job: not stalled (its timer stops while paused)');
  t.match(await own.request('DELETE', `/jobs/${live.json.job_id}`), { status: 200 });
  t.match(await waitForLibraryEnd(own, json.id), { state: 'failed', error: 'no progress from ffmpeg for 2 s' }, 'resumed, it stalls: failed');
  t.notOk(existsSync(outputFor(input, 'stall1')), 'its output is removed');
});
