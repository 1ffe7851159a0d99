// Argv shapes for each backend (they cannot run here: no GPU), and cross-backend filter rewriting.
import t from 'tap';
import { translatePlexArgv } from '../../worker/translate/translate.ts';
import type { Backend, TranslateContext } from '../../worker/translate/types.ts';
import { loadSample } from './helpers/corpus.ts';

const run = (n: string, backend: Backend, extra: Partial<TranslateContext> = {}) =>
  translatePlexArgv(loadSample(n), { backend, encoders: [], ...extra });
const graph = (argv: string[]): string => argv.filter((_, i) => argv[i - 1] === '-filter_complex').join(';');
/** Value of the last occurrence (output options come after input ones). */
const after = (argv: string[], opt: string): string | undefined => argv[argv.lastIndexOf(opt) + 1];
/** Value of the first occurrence (the first input's options). */
const first = (argv: string[], opt: string): string | undefined => argv[argv.indexOf(opt) + 1];

t.test('12 (software libx264) on each backend: encoder, quality, preset, private options', async (t) => {
  const nv = run('12', 'nvenc').argv;
  t.equal(after(nv, '-codec:0'), 'h264_nvenc');
  t.equal(after(nv, '-cq:0'), '21', 'crf → cq');
  t.equal(after(nv, '-rc:0'), 'vbr');
  t.equal(after(nv, '-preset:0'), 'p2', 'veryfast → p2');
  t.notOk(nv.includes('-x264opts:0'), 'x264opts dropped');
  t.equal(after(nv, '-maxrate:0'), '1297k', 'bitrate cap kept');
  t.match(graph(nv), /scale=w=720:h=404/, 'Plex chose a software scale: it stays');
  t.notOk(nv.includes('-init_hw_device') && nv.includes('-hwaccel'), 'no hwaccel added to a software decode');
  const va = run('12', 'vaapi', { vaapiDevice: '/dev/dri/renderD129' }).argv;
  t.equal(after(va, '-codec:0'), 'h264_vaapi');
  t.equal(after(va, '-qp:0'), '21', 'crf → qp');
  t.equal(first(va, '-init_hw_device'), 'vaapi=vaapi:/dev/dri/renderD129');
  t.match(graph(va), /format=pix_fmts=yuv420p\|nv12,hwupload\[1\]/, 'frames uploaded before the VAAPI encoder');
  const qsv = run('12', 'qsv').argv;
  t.equal(after(qsv, '-codec:0'), 'h264_qsv');
  t.equal(after(qsv, '-global_quality:0'), '21');
  t.match(graph(qsv), /hwupload=extra_hw_frames=64,format=qsv\[1\]/);
  t.same(qsv.filter((a, i) => qsv[i - 1] === '-init_hw_device'), ['vaapi=va:/dev/dri/renderD128', 'qsv=qsv@va']);
});

t.test('01 (VAAPI + inlineass) on NVENC: cuda decode, scale_cuda, download for subtitles, upload', async (t) => {
  const r = run('01', 'nvenc');
  t.equal(after(r.argv, '-hwaccel:0'), 'cuda');
  t.equal(after(r.argv, '-hwaccel_output_format:0'), 'cuda');
  t.equal(first(r.argv, '-init_hw_device'), 'cuda=cuda:0');
  t.equal(first(r.argv, '-codec:0'), 'av1', 'native av1 decoder for the hwaccel');
  t.equal(first(r.argv, '-codec:1'), 'eac3', 'eac3_eae → eac3');
  const g = graph(r.argv);
  t.match(g, /\[0:0\]hwupload\[0\];\[0\]scale_cuda=w=3840:h=2160:format=p010\[1\];\[1\]hwdownload,format=p010\[2\];\[2\]subtitles=/);
  t.match(g, /\[3\]hwupload\[4\]/);
  t.ok(r.argv.includes('hevc_nvenc'), 'hevc_vaapi → hevc_nvenc');
  t.notOk(r.argv.includes('-sei:0'), 'VAAPI-only -sei dropped');
  t.equal(after(r.argv, '-cq:0'), '15', 'qp → cq');
});

t.test('10 (tonemap_cuda) on VAAPI and software', async (t) => {
  t.match(graph(run('10', 'vaapi').argv), /scale_vaapi=w=1280:h=720:format=p010\[1\];\[1\]tonemap_vaapi=format=nv12\[2\]/);
  t.match(graph(run('10', 'software').argv), /\[1\]zscale=tin=smpte2084.*tonemap=tonemap=hable:desat=0.*format=nv12\[2\]/);
  t.match(graph(run('10', 'nvenc').argv), /scale_cuda=w=1280:h=720:format=p010\[1\];\[1\]hwdownload,format=p010,zscale=/,
    'stock has no CUDA tone-mapper: download, tone-map on the CPU');
  const hlg = translatePlexArgv(loadSample('10'), { backend: 'software', encoders: [],
    inputs: [{ streams: [{ index: 0, codec_type: 'video', codec_name: 'av1', color_transfer: 'arib-std-b67' }] }] });
  t.match(graph(hlg.argv), /tin=arib-std-b67/, 'HLG sources linearised as HLG');
});

t.test('11 inlineass stream index resolved with ffprobe facts', async (t) => {
  const r = translatePlexArgv(loadSample('11'), { backend: 'software', encoders: [], fontsDir: '/usr/share/fonts',
    inputs: [{ streams: [{ index: 0, codec_type: 'video', codec_name: 'h264' }, { index: 1, codec_type: 'audio', codec_name: 'aac' },
      { index: 2, codec_type: 'subtitle', codec_name: 'ass' }, { index: 3, codec_type: 'subtitle', codec_name: 'ass' }] }] });
  t.match(graph(r.argv), /subtitles=filename=.*sub-ass\.mkv:si=0:fontsdir=\/usr\/share\/fonts\[3\]/);
  t.notOk(r.argv.includes('nullfile'));
});

t.test('missing hardware encoder falls back to software with a warning', async (t) => {
  const r = run('09', 'nvenc', { encoders: ['libx264', 'hevc_nvenc'] });
  t.ok(r.argv.includes('libx264'));
  t.match(r.warnings, [/h264_nvenc not available/]);
});

t.test('callback URLs are re-homed through ctx.callbackBase', async (t) => {
  const r = run('09', 'software', { callbackBase: (u) => u.replace('http://127.0.0.1:32400', 'http://127.0.0.1:9/cb/job/tok/0') });
  t.match(r.progressUrl, /^http:\/\/127\.0\.0\.1:9\/cb\/job\/tok\/0\/video/);
  const dash = r.postProcess[0];
  t.equal(dash?.kind, 'dash');
  if (dash?.kind === 'dash') t.match(dash.manifestUrl, /^http:\/\/127\.0\.0\.1:9\/cb\//);
  t.notOk(r.argv.some((a) => a.includes('32400')), 'no loopback URL left in the argv');
});

t.test('every corpus sample translates for every backend without Plex-only options left, nor runner options', async (t) => {
  const privateOpts = /^-(progressurl|loglevel_plex|map_inlineass|eae_prefix|strict_ts|skip_to_segment|manifest_name|delete_removed|segment_list_separate_stream_times|segment_list_unfinished|segment_copyts)(:|$)/;
  for (const n of ['01', '02', '04', '05', '06', '07', '09', '10', '11', '12', '13', '15', '16', '17', '18', '19', '20']) {
    for (const b of ['software', 'nvenc', 'qsv', 'vaapi'] as const) {
      const r = run(n, b);
      t.notOk(r.argv.some((a) => privateOpts.test(a)), `${n}/${b}: no private options`);
      t.notOk(r.argv.some((a) => /inlineass|_eae\b|framedrop|tonemap_cuda/.test(a)), `${n}/${b}: no private filters/codecs`);
      t.notOk(r.argv.some((a) => /^-(progress|nostdin|stdin)$/.test(a)), `${n}/${b}: no -progress/-nostdin (the worker's runner owns them)`);
    }
  }
});

t.test('Plex-only options no rule knows (EasyAudioEncoder batch options) are dropped, not passed to stock ffmpeg', async (t) => {
  const argv = loadSample('02');
  const at = argv.findIndex((a) => a.startsWith('-eae_prefix'));
  t.ok(at > 0, 'sample 02 carries -eae_prefix');
  // Plex's eae.c defines eae_batch_frames and eae_max_files too; no captured argv shows them yet.
  argv.splice(at, 0, '-eae_batch_frames:1', '100', '-eae_max_files:1', '2');
  const r = translatePlexArgv(argv, { backend: 'software', encoders: [] });
  t.notOk(r.argv.some((a) => /^-eae_/.test(a)), 'no -eae_* option left');
  t.ok(r.dropped.some((d) => d.option === '-eae_batch_frames:1'), 'the drop is reported');
});
