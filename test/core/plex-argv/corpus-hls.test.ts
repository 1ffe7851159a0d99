import t from 'tap';
import { parsePlexArgv } from '../../../core/plex-argv/index.ts';
import { loadSample } from './corpus.ts';

t.test('01: Android original quality, VAAPI AV1 → hevc_vaapi 4K, sidecar SRT burned in with inlineass', async (t) => {
  const argv = loadSample('01');
  const r = parsePlexArgv(argv);
  t.equal(r.kind, 'video-transcode');
  t.equal(r.inputs.length, 2);
  t.same(r.inputs[0]?.decoders, [{ spec: '0', codec: 'av1' }, { spec: '1', codec: 'eac3_eae' }]);
  t.match(r.inputs[0], { hwaccel: 'vaapi', hwaccelOutputFormat: 'vaapi', hwaccelDevice: 'vaapi', isSidecarSubtitle: false, seekSeconds: null });
  t.match(r.inputs[1], { isSidecarSubtitle: true, argvIndex: 23 });
  t.match(r.inputs[1]?.path, /temp-0\.srt$/);
  t.match(r.video, { codec: 'hevc_vaapi', sourceCodec: 'av1', width: 3840, height: 2160, qp: 15, maxrate: 20121000, bufsize: 40242000, bitrate: null });
  t.equal(r.video?.frameRate, 23.976);
  t.match(r.audio, { codec: 'aac', sourceCodec: 'eac3_eae', channels: 6, channelLayout: '5.1', bitrate: 774000, sampleRate: 48000 });
  t.match(r.subtitleBurnIn, { kind: 'inlineass', stream: '1:s:0', input: 1, sidecar: true });
  t.match(r.subtitleBurnIn?.path, /temp-0\.srt$/);
  t.same(r.callbackUrls.map((u) => [u.option, u.argvIndex, u.role]), [['progressurl', 39, 'progress'], ['segment_list', 89, 'manifest']]);
  for (const url of r.callbackUrls) t.equal(argv[url.argvIndex], url.url);
  t.same(r.remoteUrls, []);
  t.match(r, { format: 'ssegment', protocol: 'hls', container: 'matroska', seekSeconds: null });
  t.match(r.segments, { durationSeconds: 1, startNumber: 0, skipToSegment: null, listType: 'csv' });
  t.equal(r.segments?.manifest, argv[89]);
  t.same(r.toneMapping, { enabled: false, filters: [] });
  t.same(r.hardware.hwaccels, ['vaapi']);
  t.same(r.hardware.encoders, ['hevc_vaapi']);
  t.same(r.hardware.devices, ['vaapi=vaapi:/dev/dri/renderD128,driver=iHD']);
  t.same(r.hardware.filters, ['hwupload', 'scale_vaapi', 'hwdownload']);
  t.same(r.hardware.apis, ['vaapi']);
  // The trailing `-map 1:s:0 -f null -codec ass nullfile` is the subtitle decode sink.
  t.equal(r.outputs.length, 2);
  t.match(r.outputs[0], { target: 'media-%05d.ts', argvIndex: 108, isNullSink: false });
  t.match(r.outputs[1], { target: 'nullfile', format: 'null', isNullSink: true });
  t.match(r.outputs[1]?.streams, [{ kind: 'subtitle', codec: 'ass', map: '1:s:0', source: { input: 1, spec: 's:0' } }]);
  t.same(r.outputs[0]?.streams[0]?.filters, ['hwupload', 'scale_vaapi', 'hwdownload', 'format', 'inlineass', 'hwupload']);
  t.same(r.unknownOptions, []);
  t.same(r.warnings, []);
});

t.test('02: seek to 1816 s, -ss before both inputs, segment numbering follows the seek', async (t) => {
  const r = parsePlexArgv(loadSample('02'));
  t.equal(r.kind, 'video-transcode');
  t.equal(r.seekSeconds, 1816);
  t.same(r.inputs.map((i) => i.seekSeconds), [1816, 1816]);
  t.equal(r.segments?.startNumber, 1816);
  t.match(r.subtitleBurnIn, { kind: 'inlineass', stream: '1:s:0', sidecar: true });
  t.match(r.video, { codec: 'hevc_vaapi', width: 3840, height: 2160 });
  t.same(r.callbackUrls.map((u) => u.role), ['progress', 'manifest']);
});

t.test('06: direct stream (video copy, audio transcoded, ASS copied) is a video transcode', async (t) => {
  const r = parsePlexArgv(loadSample('06'));
  // Not a remux: the audio is encoded (see classify.ts); video.codec === 'copy' marks direct stream.
  t.equal(r.kind, 'video-transcode');
  t.match(r.video, { codec: 'copy', sourceCodec: 'hevc', width: null, height: null });
  t.match(r.audio, { codec: 'aac', sourceCodec: 'eac3_eae', channels: 6, bitrate: 774000 });
  t.match(r.outputs[0]?.streams[2], { kind: 'subtitle', codec: 'copy', map: '0:2' });
  t.match(r.segments, { durationSeconds: 10, startNumber: 0 });
  t.equal(r.subtitleBurnIn, null);
  t.same(r.hardware.apis, []);
  t.equal(r.inputs[0]?.options.some((o) => o.name === 'noaccurate_seek' && o.value === null), true);
});

t.test('07: NVDEC → scale_cuda → hevc_nvenc, sidecar SRT carried as a stream, not burned', async (t) => {
  const r = parsePlexArgv(loadSample('07'));
  t.equal(r.kind, 'video-transcode');
  t.match(r.inputs[0], { hwaccel: 'nvdec', hwaccelOutputFormat: 'cuda', hwaccelDevice: 'cuda' });
  t.match(r.video, { codec: 'hevc_nvenc', sourceCodec: 'av1', width: 3840, height: 1606, bitrate: 20121000, maxrate: 20121000 });
  t.equal(r.subtitleBurnIn, null);
  t.match(r.outputs[0]?.streams[2], { kind: 'subtitle', codec: 'copy', source: { input: 1, spec: 's:0' } });
  t.same(r.hardware.devices, ['cuda=cuda:pci:0000:0d:00.0']);
  t.same(r.hardware.apis, ['cuda']);
  t.same(r.hardware.encoders, ['hevc_nvenc']);
  t.match(r.segments, { durationSeconds: 1 });
});

t.test('20: VAAPI 4K, sidecar SRT copied as a stream (no burn-in)', async (t) => {
  const r = parsePlexArgv(loadSample('20'));
  t.equal(r.kind, 'video-transcode');
  t.equal(r.subtitleBurnIn, null);
  t.match(r.video, { codec: 'hevc_vaapi', sourceCodec: 'av1', width: 3840, height: 2160, qp: 15 });
  t.match(r.inputs[1], { isSidecarSubtitle: true });
  t.match(r.outputs.map((o) => o.streams.map((s) => `${s.kind}:${s.codec}`)), [['video:hevc_vaapi', 'audio:aac', 'subtitle:copy']]);
});

t.test('16: 2016 segment muxer, global options after the output, LAN progress URL is not loopback', async (t) => {
  const argv = loadSample('16');
  const r = parsePlexArgv(argv);
  t.equal(r.kind, 'video-transcode');
  t.match(r, { format: 'segment', protocol: 'hls', container: 'mpegts' });
  t.match(r.video, { codec: 'copy', sourceCodec: 'h264' });
  t.match(r.audio, { codec: 'aac', sourceCodec: 'dca', channels: 6, channelLayout: '5.1', bitrate: 768000, sampleRate: 48000 });
  t.same(r.callbackUrls, []);
  t.equal(r.remoteUrls.length, 1);
  t.match(r.remoteUrls[0], { option: 'progressurl', role: 'progress', argvIndex: argv.length - 1 });
  t.match(r.remoteUrls[0]?.url, /^http:\/\/10\.0\.1\.99:32400\//);
  // -start_at_zero -copyts -vsync -y … after the output name are global: nothing is trailing.
  t.same(r.trailingOptions, []);
  t.ok(r.globalOptions.some((o) => o.base === 'copyts'));
  t.match(r.segments, { durationSeconds: 10, startNumber: 0, manifest: null });
});

t.test('17: live TV over HTTP, copy video, AC3 audio, loopback progress URL', async (t) => {
  const r = parsePlexArgv(loadSample('17'));
  t.equal(r.kind, 'video-transcode');
  t.match(r.inputs[0], { isUrl: true, decoders: [] });
  t.same(r.remoteUrls.map((u) => [u.option, u.role, u.argvIndex]), [['i', 'input', 2]]);
  t.same(r.callbackUrls.map((u) => [u.option, u.role]), [['progressurl', 'progress']]);
  t.match(r.video, { codec: 'copy', sourceCodec: null });
  t.match(r.audio, { codec: 'ac3', channels: 6, bitrate: 640000 });
  t.match(r.outputs[0]?.streams, [{ map: '0:v:0', kind: 'video' }, { map: '0:a:0', kind: 'audio' }]);
});
