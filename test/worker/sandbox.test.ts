import { realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { isPlexBeamError } from '../../core/errors.ts';
import { buildJobEnv } from '../../worker/sandbox/env.ts';
import { prepareJob, type PrepareContext } from '../../worker/sandbox/index.ts';
import { createPathPolicy } from '../../worker/sandbox/path-policy.ts';
import { validateTranscodeRequest } from '../../worker/sandbox/request.ts';
import { listFilters } from '../../worker/sandbox/filters.ts';
import { demuxerWhitelist } from '../../core/ffmpeg-grammar/index.ts';

const dir = realpathSync(t.testdir({ media: { Movies: { 'in.mkv': 'x', 'Plex Versions': {} } }, tx: { sess: { 'temp-0.srt': 's' } }, outside: { 'secret.txt': 's' } }));
symlinkSync(join(dir, 'outside'), join(dir, 'tx', 'sess', 'escape'));
const context = (overrides: Partial<PrepareContext> = {}): PrepareContext => ({
  policy: createPathPolicy({
    mediaRoots: [join(dir, 'media')],
    transcodeRoots: [join(dir, 'tx')],
    pathMap: [{ from: '/plex/media', to: join(dir, 'media') }, { from: '/plex/transcode', to: join(dir, 'tx') }],
  }),
  allowHttpInputs: false,
  translate: { backend: 'software', encoders: ['libx264'] },
  callbacks: { port: 4444, jobId: 'job1', token: 'tok' },
  ...overrides,
});
const request = (argv: string[], cwd = '/plex/transcode/sess') => validateTranscodeRequest({ session_id: 's', argv, env: {}, cwd });

t.test('a Plex-shaped argv is mapped, checked, translated, checked again, its callbacks rewritten and its protocols pinned', async (t) => {
  const session = 'http://127.0.0.1:32400/video/:/transcode/session/abc/def';
  const job = prepareJob(
    request([
      '-codec:1', 'eac3_eae', '-eae_prefix:1', 'abc_', '-i', '/plex/media/Movies/in.mkv', '-i', '/plex/transcode/sess/temp-0.srt',
      '-init_hw_device', 'vaapi=vaapi:/dev/dri/renderD128,driver=iHD', '-filter_hw_device', 'vaapi', '-y', '-nostats',
      '-loglevel', 'quiet', '-loglevel_plex', 'error', '-progressurl', `${session}/progress`,
      '-filter_complex', '[0:0]scale=w=1280:h=720[0];[0]format=yuv420p[1]', '-map', '[1]', '-codec:0', 'libx264',
      '-sei:0', '-a53_cc', '-force_key_frames:0', 'expr:gte(t,n_forced*1)', '-metadata', 'title=AC/DC',
      '-segment_list', `${session}/manifest?X-Plex-Http-Pipeline=infinite`, '-segment_list_type', 'csv',
      '-segment_list_unfinished', '1', '-f', 'ssegment', 'media-%05d.ts', '-map', '1:s:0', '-f', 'null', '-codec', 'ass', 'nullfile',
    ]),
    context(),
  );
  t.equal(job.cwd, join(dir, 'tx', 'sess'));
  const { argv, translation } = job.command;
  t.equal(translation.progressUrl, 'http://127.0.0.1:4444/cb/job1/tok/0/video/:/transcode/session/abc/def/progress', 'the progress URL points at the capture server');
  t.same(job.origins, ['http://127.0.0.1:32400']);
  t.same(job.inputs, [join(dir, 'media/Movies/in.mkv'), join(dir, 'tx/sess/temp-0.srt')], 'the inputs the runner probes');
  t.same(argv, [
    '-y', '-loglevel', 'error', '-filter_complex', '[0:0]scale=w=1280:h=720[0];[0]format=yuv420p[1]', '-nostats',
    '-codec:1', 'eac3', '-format_whitelist', demuxerWhitelist(false), '-protocol_whitelist', 'file', '-i', join(dir, 'media/Movies/in.mkv'),
    '-format_whitelist', demuxerWhitelist(false), '-protocol_whitelist', 'file', '-i', join(dir, 'tx/sess/temp-0.srt'), '-map', '[1]', '-codec:0', 'libx264', '-sei:0', '-a53_cc', '-force_key_frames:0',
    'expr:gte(t,n_forced*1)', '-metadata', 'title=AC/DC', '-f', 'ssegment', '-segment_list', '.plexbeam-stage-job1-0/segments.csv',
    '-segment_list_type', 'csv', '-segment_list_size', '0', '-protocol_whitelist', 'file,http,tcp', '.plexbeam-stage-job1-0/media-%05d.ts',
    '-map', '1:s:0', '-f', 'null', '-codec', 'ass', '-protocol_whitelist', 'file,http,tcp', 'nullfile',
  ], 'no -progress (the runner adds it), segments staged, the Plex machine\'s device dropped, demuxers and protocols pinned');
  t.match(translation.postProcess, [{ kind: 'ssegment', listUrl: 'http://127.0.0.1:4444/cb/job1/tok/0/video/:/transcode/session/abc/def/manifest?X-Plex-Http-Pipeline=infinite' }],
    'the segment list goes to the capture server, from the publisher');
  t.match(translation.dropped, [{ option: '-init_hw_device' }, { option: '-filter_hw_device' }, { option: '-loglevel_plex' }, { option: '-progressurl' }, { option: '-eae_prefix' }]);
  t.ok(translation.dropped.some((d) => d.option === '-segment_list_unfinished'));
});

t.test('Optimize may write into a Plex Versions folder of a media root, and only there', async (t) => {
  const out = '/plex/media/Movies/Plex Versions/Optimized for Mobile/.inProgress/in.mp4.1';
  const job = prepareJob(request(['-i', '/plex/media/Movies/in.mkv', '-c', 'copy', out]), context());
  t.equal(job.command.argv.at(-1), join(dir, 'media/Movies/Plex Versions/Optimized for Mobile/.inProgress/in.mp4.1'));
  t.throws(() => prepareJob(request(['-i', '/plex/media/Movies/in.mkv', '/plex/media/Movies/out.mp4']), context()), /outside a "Plex Versions" folder/);
  t.throws(() => prepareJob(request(['-i', '/plex/media/Movies/in.mkv', '/plex/media/Movies/Plex Versions']), context()), /Plex Versions/);
});

t.test('symlinks and .. are resolved before the roots are checked', async (t) => {
  const refuse = (argv: string[], pattern: RegExp) => {
    const error = t.throws(() => prepareJob(request(argv), context()));
    t.ok(isPlexBeamError(error, 'WORKER_FORBIDDEN'), 'WORKER_FORBIDDEN');
    t.match((error as Error).message, pattern);
  };
  // The message echoes what the client sent, never where it resolves outside the roots.
  refuse(['-i', '/plex/media/Movies/in.mkv', 'escape/out.ts'], /^output "escape\/out\.ts" is outside the allowed folders \(transcodeRoots\)$/);
  refuse(['-i', '/plex/media/Movies/in.mkv', 'escape/../x.ts'], /^output "escape\/\.\.\/x\.ts" is outside the allowed folders/);
  refuse(['-i', 'escape/secret.txt', 'out.ts'], /^input "escape\/secret\.txt" is outside the allowed folders \(mediaRoots and transcodeRoots\)$/);
  refuse(['-i', '/plex/media/../outside/secret.txt', 'out.ts'], /outside the allowed folders/);
  t.throws(() => prepareJob(request(['-i', 'x.mkv', 'out.ts'], '/plex/transcode/sess/escape'), context()), /^cwd "\/plex\/transcode\/sess\/escape" is outside the allowed folders \(transcodeRoots\); check worker\.pathMap$/);
  t.throws(() => prepareJob(request(['-i', 'x.mkv', 'out.ts'], '/plex/transcode/missing'), context()), /does not exist on the worker/);
  t.throws(() => prepareJob(request(['-i', 'x.mkv', 'out.ts'], '/plex/media/Movies'), context()), /cwd .* is outside the allowed folders/);
});

t.test('remote http inputs need allowHttpInputs; loopback inputs are never reachable', async (t) => {
  const argv = ['-i', 'http://tv.example/stream.ts', '-c', 'copy', 'out.ts'];
  t.throws(() => prepareJob(request(argv), context()), /set worker.allowHttpInputs/);
  const job = prepareJob(request(argv), context({ allowHttpInputs: true }));
  t.same(job.command.argv.slice(1, 7), ['-format_whitelist', demuxerWhitelist(true), '-protocol_whitelist', 'http,https,tcp,tls', '-i', 'http://tv.example/stream.ts']);
  for (const host of ['127.0.0.1:32400', 'localhost', '[::1]', '0.0.0.0', '2130706433']) {
    t.throws(() => prepareJob(request(['-i', `http://${host}/x`, 'out.ts']), context({ allowHttpInputs: true })), /loopback/, host);
  }
});

t.test('filter graphs are split and unescaped as ffmpeg does', async (t) => {
  t.same(listFilters("[0:v]scale=w=1:h=2[a];[a]subtitles=f='a\\,b.srt':si=0,format=yuv420p[out]").map((f) => f.name), ['scale', 'subtitles', 'format']);
  t.same(listFilters('mov\\ie=x').map((f) => f.name), ['movie']);
  const job = prepareJob(request(['-i', '/plex/media/Movies/in.mkv', '-vf', `subtitles=${'/plex/transcode/sess/temp-0.srt'}`, 'o.ts']), context());
  t.equal(job.command.argv[job.command.argv.indexOf('-vf') + 1], `subtitles=${join(dir, 'tx/sess/temp-0.srt')}`, 'pathMap applies inside filters');
});

t.test('malformed requests are 400s naming the field', async (t) => {
  const bad = (body: unknown, pattern: RegExp) => {
    const error = t.throws(() => validateTranscodeRequest(body));
    t.ok(isPlexBeamError(error, 'WORKER_BAD_REQUEST'));
    t.match((error as Error).message, pattern);
  };
  bad([], /expected a JSON object/);
  bad({ argv: ['-i'], cwd: '/x' }, /session_id/);
  bad({ session_id: 's', argv: 'ffmpeg -i x', cwd: '/x' }, /argv: expected an array/);
  bad({ session_id: 's', argv: ['-i', 5], cwd: '/x' }, /argv\[1\]/);
  bad({ session_id: 's', argv: ['-i', 'a\0b'], cwd: '/x' }, /argv\[1\]/);
  bad({ session_id: 's', argv: ['x'], cwd: 'relative' }, /cwd: expected an absolute path/);
  bad({ session_id: 's', argv: ['x'], cwd: '/x', env: { A: 1 } }, /env\.A/);
  const error = t.throws(() => prepareJob(request(['-i', '/plex/media/Movies/in.mkv', '-c:v']), context()));
  t.ok(isPlexBeamError(error, 'WORKER_BAD_REQUEST'), 'an option without its value');
});

t.test("the job's environment keeps only what ffmpeg needs", async (t) => {
  const env = buildJobEnv({
    requestEnv: { LANG: 'en_GB.UTF-8', LD_PRELOAD: '/x.so', LD_LIBRARY_PATH: '/evil', FFREPORT: 'file=/etc/x', X_PLEX_TOKEN: 'secret', PATH: '/evil', LC_ALL: '../../x' },
    workerEnv: { LIBVA_DRIVER_NAME: 'iHD', SECRET: 'no' },
    scratchDir: '/scratch/job',
    cacheDir: '/scratch/cache',
  });
  t.same(env, { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'en_GB.UTF-8', LIBVA_DRIVER_NAME: 'iHD', HOME: '/scratch/job', TMPDIR: '/scratch/job', XDG_CACHE_HOME: '/scratch/cache' });
});
