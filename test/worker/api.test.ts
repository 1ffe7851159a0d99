import { mkdirSync, readdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import WebSocket from 'ws';
import { API_KEY, makeMedia, processGroup, startWorker, waitForEnd } from './helpers.ts';

const dir = realpathSync(t.testdir({ media: { Movies: {} }, tx: { sess: {} }, outside: { 'secret.srt': '1\n00:00:00,000 --> 00:00:01,000\nx\n' } }));
makeMedia(join(dir, 'media', 'Movies', 'in.mkv'));
writeFileSync(join(dir, 'tx', 'sess', 'broken.mkv'), 'this is not a video');
symlinkSync(join(dir, 'outside'), join(dir, 'tx', 'sess', 'escape'));
const worker = await startWorker(dir, {
  maxJobs: 2,
  maxBodyBytes: 16_384,
  mediaRoots: [join(dir, 'media')],
  transcodeRoots: [join(dir, 'tx')],
  pathMap: [{ from: '/plex/media', to: join(dir, 'media') }, { from: '/plex/transcode', to: join(dir, 'tx') }],
});
t.teardown(() => worker.stop());

const IN = '/plex/media/Movies/in.mkv';
const CWD = '/plex/transcode/sess';
const transcode = (argv: string[], extra: Record<string, unknown> = {}) => worker.request('POST', '/transcode', { session_id: 'sess-1', argv, env: {}, cwd: CWD, ...extra });
/** A job that runs until cancelled: the input looped forever at its native rate. */
const SLOW = (name: string) => ['-re', '-stream_loop', '-1', '-i', IN, '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-f', 'segment', '-segment_time', '1', `${name}-%05d.ts`];
const ffmpegPid = async (jobId: string) => (await worker.waitForLog((l) => l.job_id === jobId && l.msg === 'job started')).ffmpeg_pid as number;

t.test('GET /health needs no key and reports the probed encoder, without secrets', async (t) => {
  const { status, json, text } = await worker.request('GET', '/health', undefined, {});
  t.equal(status, 200);
  t.match(json, { status: 'ok', version: String, hwaccel: 'software', jobs: { running: 0, queued: 0, max: 2 } });
  t.ok(json.encoders.includes('libx264'));
  t.notMatch(text, API_KEY);
});

t.test('every other route needs the right X-API-Key (401)', async (t) => {
  for (const headers of [{}, { 'x-api-key': 'wrong' }, { 'x-api-key': `${API_KEY}x` }] as Record<string, string>[]) {
    for (const [method, path] of [['POST', '/transcode'], ['GET', '/metrics'], ['GET', '/status/x'], ['DELETE', '/jobs/x'], ['POST', '/paths/stat']]) {
      const { status, json } = await worker.request(method as string, path as string, method === 'POST' ? {} : undefined, headers);
      t.equal(status, 401, `${method} ${path}`);
      t.match(json, { error: /X-API-Key/ });
    }
  }
  t.equal((await worker.request('GET', '/status/no-such-job')).status, 404);
  t.equal((await worker.request('GET', '/nowhere')).status, 404);
});

t.test('malformed requests are 400, oversized ones 413', async (t) => {
  t.match(await worker.request('POST', '/transcode', '{"argv": ['), { status: 400, json: { error: /not valid JSON/ } });
  t.match(await worker.request('POST', '/transcode', { session_id: 's', argv: '-i x', cwd: CWD }), { status: 400, json: { error: /argv: expected an array/ } });
  t.match(await transcode(['-i', IN, 5] as string[]), { status: 400, json: { error: /argv\[2\]/ } });
  t.match(await transcode([IN], { cwd: 'sess' }), { status: 400, json: { error: /cwd/ } });
  t.match(await transcode(['-i', IN, '-t']), { status: 400, json: { error: /needs a value/ } });
  t.match(await transcode(['-i', IN, '-metadata', 'x'.repeat(20_000), 'o.ts']), { status: 413, json: { error: /maxBodyBytes/ } });
});

// Each refusal rule of the issue, against the real worker: [why, argv, message].
const REFUSALS: [string, string[], RegExp][] = [
  ['input outside the roots', ['-i', '/etc/passwd', 'o.ts'], /input "\/etc\/passwd" is outside the allowed folders/],
  ['input through a symlink out of the roots', ['-i', 'escape/secret.srt', 'o.ts'], /outside the allowed folders/],
  ['concat: protocol', ['-i', `concat:${IN}|/etc/passwd`, 'o.ts'], /protocol "concat:"/],
  ['file: outside the roots', ['-i', 'file:/etc/passwd', 'o.ts'], /outside the allowed folders/],
  ['http: to a remote host', ['-i', 'http://tv.example.com/live.ts', 'o.ts'], /allowHttpInputs/],
  ['http: to Plex loopback', ['-i', 'http://127.0.0.1:32400/library/parts/1/file.mkv', 'o.ts'], /loopback/],
  ['pipe:', ['-i', 'pipe:0', 'o.ts'], /protocol "pipe:"/],
  ['stdin', ['-i', '-', 'o.ts'], /standard input/],
  ['tcp:', ['-i', 'tcp://10.0.0.1:9000', 'o.ts'], /protocol "tcp:"/],
  ['udp:', ['-i', 'udp://239.0.0.1:1234', 'o.ts'], /protocol "udp:"/],
  ['rtmp:', ['-i', 'rtmp://example.com/live', 'o.ts'], /protocol "rtmp:"/],
  ['subfile:', ['-i', 'subfile:,,start,0,end,0,,:/etc/passwd', 'o.ts'], /protocol "subfile:"/],
  ['data:', ['-i', 'data:video/mp4;base64,AAAA', 'o.ts'], /protocol "data:"/],
  ['-f lavfi', ['-f', 'lavfi', '-i', 'testsrc2', 'o.ts'], /input format "-f lavfi"/],
  ['a device path', ['-i', '/dev/zero', 'o.ts'], /device/],
  ['-f v4l2', ['-f', 'v4l2', '-i', '/dev/video0', 'o.ts'], /input format "-f v4l2"/],
  ['-f alsa', ['-f', 'alsa', '-i', 'default', 'o.ts'], /input format "-f alsa"/],
  ['-f x11grab', ['-f', 'x11grab', '-i', ':0', 'o.ts'], /input format "-f x11grab"/],
  ['-f fbdev', ['-f', 'fbdev', '-i', '/dev/fb0', 'o.ts'], /input format "-f fbdev"/],
  ['movie filter', ['-i', IN, '-vf', 'movie=/etc/passwd', 'o.ts'], /filter "movie"/],
  ['amovie filter', ['-i', IN, '-af', 'amovie=x.wav', 'o.ts'], /filter "amovie"/],
  ['escaped movie filter', ['-i', IN, '-filter_complex', '[0:v]null[a];mov\\ie=x[b]', 'o.ts'], /filter "movie"/],
  ['subtitles outside the roots', ['-i', IN, '-vf', `subtitles=${dir}/outside/secret.srt`, 'o.ts'], /filter "subtitles" .*outside the allowed folders/],
  ['ass with .. out of the roots', ['-i', IN, '-vf', "ass='../../../outside/secret.srt'", 'o.ts'], /filter "ass" .*outside the allowed folders/],
  ['sendcmd', ['-i', IN, '-vf', 'sendcmd=f=cmds.txt,null', 'o.ts'], /filter "sendcmd"/],
  ['zmq', ['-i', IN, '-vf', 'zmq,null', 'o.ts'], /filter "zmq"/],
  // Escaped for both of ffmpeg's levels (graph, then filter option), as ffmpeg needs to see a URL.
  ['a URL inside a filter', ['-i', IN, '-vf', 'subtitles=http\\\\:\\\\/\\\\/evil/x.srt', 'o.ts'], /"http:" URL/],
  ['-passlogfile', ['-i', IN, '-passlogfile', '/tmp/x', 'o.ts'], /-passlogfile is not allowed/],
  ['-dump_attachment', ['-dump_attachment:t:0', '/tmp/font.ttf', '-i', IN, 'o.ts'], /-dump_attachment:t:0 is not allowed/],
  ['-vstats_file', ['-i', IN, '-vstats_file', '/tmp/v.log', 'o.ts'], /-vstats_file is not allowed/],
  ['-report', ['-report', '-i', IN, 'o.ts'], /-report is not allowed/],
  ['-fpre', ['-i', IN, '-fpre', '/tmp/p.ffpreset', 'o.ts'], /-fpre is not allowed/],
  ['-attach outside the roots', ['-i', IN, '-attach', '/etc/passwd', 'o.mkv'], /-attach "\/etc\/passwd" is outside/],
  ['-hls_key_info_file', ['-i', IN, '-hls_key_info_file', 'k.info', '-f', 'hls', 'o.m3u8'], /-hls_key_info_file is not allowed/],
  ['-segment_list outside the roots', ['-i', IN, '-f', 'segment', '-segment_list', '/tmp/list.csv', 'o-%d.ts'], /-segment_list value "\/tmp\/list.csv" is outside the allowed folders/],
  ['-segment_list to a remote host', ['-i', IN, '-f', 'segment', '-segment_list', 'http://evil.example/l', 'o-%d.ts'], /protocol "http:"/],
  ['a file written by an encoder option', ['-i', IN, '-c:v', 'libx264', '-x264-params', 'stats=/tmp/x.log', 'o.ts'], /outside the allowed folders/],
  ['-progress', ['-i', IN, '-progress', 'http://evil/', 'o.ts'], /-progress is not allowed/],
  ['-filter_complex_script', ['-i', IN, '-filter_complex_script', 'g.txt', 'o.ts'], /reads a filter graph from a file/],
  ['an output outside the roots', ['-i', IN, '/tmp/out.ts'], /output "\/tmp\/out.ts" is outside the allowed folders/],
  ['an output through .. out of the roots', ['-i', IN, '../../out.ts'], /outside the allowed folders/],
  ['an output through a symlink', ['-i', IN, 'escape/out.ts'], /outside the allowed folders/],
  ['an output in a media root', ['-i', IN, '/plex/media/Movies/out.mkv'], /outside a "Plex Versions" folder/],
  ['an output to stdout', ['-i', IN, '-f', 'mpegts', '-'], /standard output/],
  ['an output over tcp:', ['-i', IN, '-f', 'mpegts', 'tcp://10.0.0.1:9'], /protocol "tcp:"/],
  ['an output to a device', ['-i', IN, '-f', 'rawvideo', '/dev/null'], /device/],
  ['-f tee', ['-i', IN, '-f', 'tee', '[f=mpegts]/tmp/a.ts|o.ts'], /output format "-f tee"/],
  ['a device option outside /dev/dri', ['-init_hw_device', 'vaapi=va:/dev/sda', '-i', IN, 'o.ts'], /only \/dev\/dri render nodes/],
  ['--', ['-i', IN, '--', '/tmp/x'], /"--" is not allowed/],
  ['a cwd outside transcodeRoots', ['-i', IN, 'o.ts'], /cwd/],
];

t.test('forbidden requests are 403 with a message naming the argument', async (t) => {
  for (const [why, argv, message] of REFUSALS) {
    const { status, json } = await transcode(argv, why === 'a cwd outside transcodeRoots' ? { cwd: '/plex/media/Movies' } : {});
    t.equal(status, 403, why);
    t.match(json, { error: message, code: 'WORKER_FORBIDDEN' }, why);
  }
  t.same(readdirSync(join(dir, 'outside')), ['secret.srt'], 'nothing written outside the roots');
  const refusal = worker.logs.find((l) => l.msg?.startsWith('transcode refused') && l.code === 'WORKER_FORBIDDEN');
  t.match(refusal, { level: 'info', msg: /input "\/etc\/passwd" is outside/ }, 'refusals are logged');
});

t.test('an argv the worker cannot translate is 422 TRANSLATE_UNSUPPORTED, so the cartridge runs it locally', async (t) => {
  const { status, json } = await transcode(['-i', IN, '-filter_complex', '[0:v]inlineass=font_size=54[v]', '-map', '[v]', 'o.mkv']);
  t.equal(status, 422);
  t.match(json, { code: 'TRANSLATE_UNSUPPORTED', error: /inlineass burn-in without a usable -map_inlineass/ });
  t.match((await worker.request('GET', '/metrics')).text, /^plexbeam_worker_requests_refused_total\{reason="untranslatable"\} 1$/m);
});

t.test('a transcode runs to completion with progress, status and one log line per lifecycle event', async (t) => {
  const { status, json } = await transcode(['-i', IN, '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-f', 'segment', '-segment_time', '1', 'done-%05d.ts']);
  t.equal(status, 202);
  t.match(json, { job_id: String, state: 'queued' });
  const end = await waitForEnd(worker, json.job_id);
  t.match(end, { job_id: json.job_id, session_id: 'sess-1', state: 'completed', exit_code: 0, error: null });
  t.ok(end.progress.out_time_s > 3, 'progress reached the end of the input');
  t.ok(readdirSync(join(dir, 'tx', 'sess')).some((name) => name.startsWith('done-')), 'segments written in the cwd');
  const events = worker.logs.filter((l) => l.job_id === json.job_id).map((l) => l.msg);
  t.same(events.filter((m) => ['job accepted', 'job started', 'job completed'].includes(m as string)), ['job accepted', 'job started', 'job completed']);
  t.ok(worker.logs.filter((l) => l.job_id === json.job_id).every((l) => l.session_id === 'sess-1'));
});

t.test('an ffmpeg failure is logged with its last stderr lines', async (t) => {
  const { json } = await transcode(['-i', 'broken.mkv', '-c', 'copy', 'broken-out.mkv']);
  const end = await waitForEnd(worker, json.job_id);
  t.match(end, { state: 'failed', error_code: 'FFMPEG_FAILED', error: /exited with code/ });
  const line = await worker.waitForLog((l) => l.job_id === json.job_id && l.level === 'error');
  t.match(line, { msg: /job failed/, stderr: Array });
  t.match((line.stderr as string[]).join('\n'), /broken\.mkv/);
});

t.test('WS /ws/progress streams progress; DELETE kills the process group; a full worker answers 503', async (t) => {
  const refused = new WebSocket(`ws://127.0.0.1:${worker.port}/ws/progress`);
  const status = await new Promise((resolve) => refused.on('unexpected-response', (_req, res) => resolve(res.statusCode)));
  t.equal(status, 401, 'the WebSocket needs the key too');

  const first = (await transcode(SLOW('a'))).json.job_id as string;
  const ws = new WebSocket(`ws://127.0.0.1:${worker.port}/ws/progress?job_id=${first}`, { headers: { 'x-api-key': API_KEY } });
  const received: any[] = [];
  const wsMessage = (predicate: (m: any) => boolean) =>
    new Promise<any>((resolve) => {
      const check = () => {
        const found = received.find(predicate);
        if (found !== undefined) resolve(found);
      };
      ws.on('message', check);
      check();
    });
  ws.on('message', (data) => received.push(JSON.parse(String(data))));
  const second = (await transcode(SLOW('b'))).json.job_id as string;
  t.match(await transcode(SLOW('c')), { status: 503, json: { error: /full \(2 of 2 jobs\)/ } });
  const health = await worker.request('GET', '/health', undefined, {});
  t.equal(health.json.jobs.running + health.json.jobs.queued, 2);
  t.match(health.json.sessions, [{ session_id: 'sess-1', state: /^(queued|running)$/ }, { session_id: 'sess-1' }], 'its live jobs by session, for plexbeam status');
  t.notMatch(health.text, second, 'no job id in /health');

  const message = await wsMessage((m) => m.type === 'progress' && m.progress.out_time_s > 0);
  t.match(message, { type: 'progress', job_id: first, state: 'running', progress: { out_time_s: Number, speed: Number } });

  for (const jobId of [first, second]) {
    const pgid = await ffmpegPid(jobId);
    t.ok(processGroup(pgid).length > 0, 'ffmpeg runs before the DELETE');
    const deleted = await worker.request('DELETE', `/jobs/${jobId}`);
    t.match(deleted, { status: 200, json: { job_id: jobId, state: 'cancelled', error_code: 'JOB_CANCELLED' } });
    t.same(processGroup(pgid), [], 'no process of the job is left when DELETE answers');
    t.notOk(readdirSync(join(dir, 'tx', 'sess')).some((name) => name.startsWith(`.plexbeam-stage-${jobId.slice(0, 8)}`)), "the cancelled job's staging folder is gone");
  }
  await wsMessage((m) => m.type === 'state' && m.state === 'cancelled');
  t.ok(received.every((m) => m.job_id === first), 'the filtered socket only sees its job');
  ws.close();
  t.match(await worker.request('DELETE', `/jobs/${first}`), { status: 200, json: { state: 'cancelled' } }, 'DELETE again is harmless');
});

t.test('GET /metrics is Prometheus text with jobs, durations, failures and hwaccel', async (t) => {
  const { status, text } = await worker.request('GET', '/metrics');
  t.equal(status, 200);
  t.match(text, /^# TYPE plexbeam_worker_jobs gauge$/m);
  t.match(text, /^plexbeam_worker_jobs_ended_total\{outcome="completed"\} [1-9]/m);
  t.match(text, /^plexbeam_worker_jobs_ended_total\{outcome="cancelled"\} [1-9]/m);
  t.match(text, /^plexbeam_worker_job_failures_total\{code="FFMPEG_FAILED"\} [1-9]/m);
  t.match(text, /^plexbeam_worker_requests_refused_total\{reason="forbidden"\} [1-9]/m);
  t.match(text, /^plexbeam_worker_requests_refused_total\{reason="busy"\} [1-9]/m);
  t.match(text, /^plexbeam_worker_job_duration_seconds_count [1-9]/m);
  t.match(text, /^plexbeam_worker_hwaccel\{hwaccel="software",encoders="libx264,libx265"\} 1$/m);
});

t.test('POST /paths/stat says what the worker sees at Plex paths, and nothing outside the roots', async (t) => {
  mkdirSync(join(dir, 'tx', 'empty'));
  const { status, json } = await worker.request('POST', '/paths/stat', { paths: [IN, '/plex/transcode/empty', '/plex/media/Movies/missing.mkv', '/etc/passwd'] });
  t.equal(status, 200);
  t.match(json.results, [
    { path: IN, worker_path: join(dir, 'media/Movies/in.mkv'), root: 'media', exists: true, kind: 'file', readable: true },
    { root: 'transcode', exists: true, kind: 'directory', writable: true },
    { root: 'media', exists: false, kind: null },
    { path: '/etc/passwd', root: null, exists: null, readable: null },
  ]);
  t.equal((await worker.request('POST', '/paths/stat', { paths: 'x' })).status, 400);
});
