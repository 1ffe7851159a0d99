// The sandbox around the translation: Plex's argv checked first, the translated argv checked again.
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { isPlexBeamError } from '../../core/errors.ts';
import { prepareJob, type PrepareContext } from '../../worker/sandbox/index.ts';
import { createPathPolicy } from '../../worker/sandbox/path-policy.ts';
import { validateTranscodeRequest } from '../../worker/sandbox/request.ts';
import { adaptCorpusArgv, ensureTestMedia, loadCorpus } from '../harness/index.ts';

const dir = realpathSync(t.testdir({ media: { 'in.mkv': 'x' }, tx: { sess: {} } }));
const IN = join(dir, 'media', 'in.mkv');
const context = (overrides: Partial<PrepareContext> = {}): PrepareContext => ({
  policy: createPathPolicy({ mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')], pathMap: [] }),
  allowHttpInputs: false,
  translate: { backend: 'software', encoders: ['libx264', 'libx265'] },
  callbacks: { port: 4444, jobId: 'job2', token: 'tok' },
  ...overrides,
});
const prepare = (argv: string[], overrides: Partial<PrepareContext> = {}) =>
  prepareJob(validateTranscodeRequest({ session_id: 's', argv, env: {}, cwd: join(dir, 'tx', 'sess') }), context(overrides));
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return isPlexBeamError(error) ? { code: error.code, message: error.message } : { code: 'not a PlexBeamError', message: String(error) };
  }
  return { code: 'accepted', message: '' };
};
const BURN_IN = '[0:0]inlineass=font_path=/usr/lib/plexmediaserver/Resources/Fonts/NotoSans-Medium.otf:fontconfig_file=/usr/lib/plexmediaserver/Resources/fonts.conf:outline=2[v]';

t.test("Plex-private values naming the Plex machine pass in Plex's argv; the translation removes them", async (t) => {
  const job = prepare(['-codec:1', 'eac3_eae', '-eae_root', '/var/lib/plexmediaserver/eae', '-eae_prefix:1', 'abc_', '-i', IN,
    '-map_inlineass', '0:s:0', '-filter_complex', BURN_IN, '-map', '[v]', '-codec:0', 'libx264', 'out.mkv']);
  const graph = job.command.argv[job.command.argv.indexOf('-filter_complex') + 1] ?? '';
  t.match(graph, `subtitles=filename=${IN}:si=0:force_style=Outline\\\\=2`, 'inlineass became subtitles= reading the input');
  t.notMatch(job.command.argv.join(' '), /plexmediaserver|eae/, 'nothing of the Plex machine is left');
  t.match(refusal(() => prepare(['-i', IN, '-vf', 'subtitles=/usr/lib/plexmediaserver/x.srt', 'o.mkv'])), { code: 'WORKER_FORBIDDEN', message: /outside the allowed folders/ },
    'the same path in a stock filter is refused');
  t.match(refusal(() => prepare(['-i', IN, '-filter_complex', '[0:0]inlineass=f=/x,movie=/etc/passwd[v]', '-map', '[v]', 'o.mkv'])), { code: 'WORKER_FORBIDDEN', message: /movie/ },
    'a forbidden filter is refused even beside inlineass');
});

t.test("-progressurl: captured for the worker's own requests, LAN addresses of older Plex included", async (t) => {
  const lan = prepare(['-i', IN, '-progressurl', 'http://10.0.1.99:32400/video/:/transcode/session/x/progress', '-c', 'copy', 'o.mkv']);
  t.equal(lan.command.translation.progressUrl, 'http://127.0.0.1:4444/cb/job2/tok/0/video/:/transcode/session/x/progress');
  t.same(lan.origins, ['http://10.0.1.99:32400'], 'the cartridge learns where Plex asked for it');
  t.equal(lan.callbackBase, 'http://127.0.0.1:4444/cb/job2/tok/');
  t.match(refusal(() => prepare(['-i', IN, '-progressurl', 'file:/etc/passwd', 'o.mkv'])), { code: 'WORKER_FORBIDDEN', message: /expected an http\(s\) URL/ });
});

t.test('an argv the translation cannot run faithfully is TRANSLATE_UNSUPPORTED (422), before anything runs', async (t) => {
  t.match(refusal(() => prepare(['-i', IN, '-filter_complex', '[0:0]scale=w=2:h=2[a', '-map', '[a]', 'o.mkv'])),
    { code: 'TRANSLATE_UNSUPPORTED', message: /cannot parse filtergraph: unterminated pad label/ });
  t.match(refusal(() => prepare(['-i', IN, '-filter_complex', BURN_IN, '-map', '[v]', 'o.mkv'])),
    { code: 'TRANSLATE_UNSUPPORTED', message: /inlineass burn-in without a usable -map_inlineass/ }, 'a burn-in is never silently dropped');
});

t.test('the translated argv is checked on its own: what the translation writes must pass too', async (t) => {
  // The HTTP input is allowed, but burning its subtitles in would put a URL inside a filter.
  const argv = ['-i', 'http://tv.example/live.ts', '-map_inlineass', '0:s:0', '-filter_complex', BURN_IN, '-map', '[v]', 'o.mkv'];
  t.match(refusal(() => prepare(argv, { allowHttpInputs: true })), { code: 'WORKER_FORBIDDEN', message: /filter "subtitles" in -filter_complex/ });
});

t.test('commandFor: translated again with the probed inputs, same callbacks and staging folders', async (t) => {
  const argv = ['-codec:0', 'av1', '-i', IN, '-progressurl', 'http://127.0.0.1:32400/p/progress', '-codec:0', 'libx264',
    '-f', 'ssegment', '-segment_list', 'http://127.0.0.1:32400/p/manifest', 'media-%05d.ts'];
  const job = prepare(argv);
  t.equal(job.command.argv[job.command.argv.indexOf('-codec:0') + 1], 'libdav1d', 'without facts the hint is believed');
  const probed = job.commandFor([{ streams: [{ index: 0, codec_type: 'video', codec_name: 'hevc' }], duration: 10 }]);
  t.notOk(probed.argv.includes('libdav1d'), 'the probe says HEVC: the wrong hint is dropped');
  t.ok(probed.translation.dropped.some((d) => d.option === '-codec:0' && d.value === 'av1' && /stream is hevc/.test(d.reason)));
  t.same(probed.translation.postProcess, job.command.translation.postProcess, 'the same staging folder and capture URLs');
  t.same(job.origins, ['http://127.0.0.1:32400']);
});

t.test('every corpus sample passes both checks and translates for every backend (17 needs a reachable HTTP input)', async (t) => {
  const media = await ensureTestMedia();
  for (const sample of loadCorpus()) {
    const session = join(dir, 'tx', `corpus-${sample.id}`);
    const argv = adaptCorpusArgv(sample.argv, { media, sessionDir: session, pmsUrl: 'http://127.0.0.1:32400' });
    for (const backend of ['software', 'nvenc', 'vaapi', 'qsv'] as const) {
      const policy = createPathPolicy({ mediaRoots: [media.dir], transcodeRoots: [join(dir, 'tx')], pathMap: [] });
      const outcome = refusal(() => prepareJob(validateTranscodeRequest({ session_id: 's', argv, env: {}, cwd: session }), context({ policy, translate: { backend, encoders: [] } })));
      if (sample.id === '17') t.match(outcome, { code: 'WORKER_FORBIDDEN', message: /loopback/ }, `17/${backend}: the harness serves its live input on loopback`);
      else t.same(outcome, { code: 'accepted', message: '' }, `${sample.id}/${backend}`);
    }
  }
});
