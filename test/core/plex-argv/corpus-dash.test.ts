import t from 'tap';
import { parsePlexArgv } from '../../../core/plex-argv/index.ts';
import { loadSample } from './corpus.ts';

t.test('09: DASH, NVDEC HEVC HDR10 → h264_nvenc 720p without tone mapping', async (t) => {
  const argv = loadSample('09');
  const r = parsePlexArgv(argv);
  t.equal(r.kind, 'video-transcode');
  t.match(r, { format: 'dash', protocol: 'dash', container: 'mp4' });
  t.match(r.segments, { durationSeconds: 3, skipToSegment: 1 });
  t.equal(r.segments?.manifest, r.callbackUrls[1]?.url);
  t.same(r.callbackUrls.map((u) => [u.option, u.role]), [['progressurl', 'progress'], ['manifest_name', 'manifest']]);
  for (const url of r.callbackUrls) t.equal(argv[url.argvIndex], url.url);
  t.match(r.video, { codec: 'h264_nvenc', sourceCodec: 'hevc', width: 1280, height: 720, bitrate: 3419000, maxrate: 3419000 });
  t.equal(r.toneMapping.enabled, false);
  t.equal(r.outputs[0]?.target, 'dash');
});

t.test('10: DASH with tonemap_cuda (HDR → SDR)', async (t) => {
  const r = parsePlexArgv(loadSample('10'));
  t.same(r.toneMapping, { enabled: true, filters: ['tonemap_cuda'] });
  t.match(r.video, { codec: 'h264_nvenc', sourceCodec: 'av1', width: 1280, height: 720 });
  t.same(r.hardware.filters, ['hwupload', 'scale_cuda', 'tonemap_cuda']);
  t.same(r.hardware.apis, ['cuda']);
});

t.test('11: inlineass burn-in of an embedded ASS stream plus a null decode sink', async (t) => {
  const r = parsePlexArgv(loadSample('11'));
  t.equal(r.kind, 'video-transcode');
  t.match(r.subtitleBurnIn, { kind: 'inlineass', stream: '0:2', input: 0, path: null, sidecar: false });
  t.match(r.video, { codec: 'h264_nvenc', sourceCodec: 'h264', width: 720, height: 404, bitrate: 1297000 });
  t.match(r.audio, { codec: 'aac', sourceCodec: 'aac', channels: 2, bitrate: 162000 });
  t.equal(r.outputs.length, 2);
  t.equal(r.outputs[1]?.isNullSink, true);
  t.match(r.segments, { durationSeconds: 8 });
  t.same(r.hardware.filters, ['hwupload', 'scale_cuda', 'hwdownload']);
});

t.test('12: pure software libx264 with -crf, -preset and -x264opts', async (t) => {
  const r = parsePlexArgv(loadSample('12'));
  t.match(r.video, { codec: 'libx264', sourceCodec: 'h264', width: 720, height: 404, crf: 21, qp: null, maxrate: 1297000, preset: 'veryfast' });
  t.same(r.hardware, { hwaccels: [], devices: [], filterDevice: null, decoders: [], encoders: [], filters: [], apis: [] });
  t.ok(r.outputs[0]?.options.some((o) => o.name === 'x264opts:0' && o.value?.startsWith('subme=2')));
});

t.test('13: NVDEC decode, software tonemap=hable, inlineass with escaped overrides, libx264', async (t) => {
  const r = parsePlexArgv(loadSample('13'));
  t.same(r.toneMapping, { enabled: true, filters: ['tonemap'] });
  t.match(r.subtitleBurnIn, { kind: 'inlineass', stream: '0:2', sidecar: false });
  t.match(r.video, { codec: 'libx264', sourceCodec: 'av1', width: 1280, height: 720, crf: 23 });
  t.same(r.hardware.hwaccels, ['nvdec']);
  t.same(r.hardware.encoders, []);
  t.same(r.hardware.apis, ['cuda']);
  // The escaped `\\\,` inside overrides must not split the filter chain.
  t.same(r.outputs[0]?.streams[0]?.filters, ['scale', 'format', 'tonemap', 'format', 'inlineass']);
});

t.test('18: GPU-less server: libdav1d → libx264, hardware device initialised but unused', async (t) => {
  const r = parsePlexArgv(loadSample('18'));
  t.equal(r.kind, 'video-transcode');
  t.match(r.video, { codec: 'libx264', sourceCodec: 'libdav1d', width: 2276, height: 1280, crf: 16, maxrate: 20000000, bufsize: 40000000 });
  t.same(r.hardware.devices, ['vaapi=vaapi:']);
  t.same(r.hardware.apis, []);
  // The fixture elides the session path ("…/.../progress"): still loopback callbacks.
  t.same(r.callbackUrls.map((u) => u.role), ['progress', 'manifest']);
});
