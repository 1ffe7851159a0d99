// Shapes no complete corpus sample covers (QSV, -f hls, image-subtitle overlays, stock subtitle
// filters, music, remux, analysis passes), built from what the samples and PARTIALS.md show.
import t from 'tap';
import { parsePlexArgv } from '../../../core/plex-argv/index.ts';

const PROGRESS = 'http://127.0.0.1:32400/video/:/transcode/session/s1/j1/progress';

t.test('QSV decode + scale_qsv + h264_qsv into -f hls', async (t) => {
  const r = parsePlexArgv([
    '-hwaccel', 'qsv', '-hwaccel_output_format', 'qsv', '-c:v', 'hevc_qsv', '-ss', '00:01:02.5', '-i', '/m/film.mkv',
    '-vf', 'scale_qsv=w=1920:h=1080', '-c:v', 'h264_qsv', '-b:v', '8M', '-maxrate:v', '8M', '-c:a', 'copy',
    '-f', 'hls', '-hls_time', '4', '-start_number', '7', 'out.m3u8', '-progressurl', PROGRESS,
  ]);
  t.equal(r.kind, 'video-transcode');
  t.equal(r.seekSeconds, 62.5);
  t.match(r, { protocol: 'hls', format: 'hls', container: 'mpegts' });
  t.match(r.segments, { durationSeconds: 4, startNumber: 7, manifest: 'out.m3u8', listType: 'm3u8' });
  t.match(r.video, { codec: 'h264_qsv', sourceCodec: 'hevc_qsv', width: 1920, height: 1080, bitrate: 8000000, maxrate: 8000000 });
  t.match(r.audio, { codec: 'copy' });
  t.match(r.hardware, { hwaccels: ['qsv'], decoders: ['hevc_qsv'], encoders: ['h264_qsv'], filters: ['scale_qsv'], apis: ['qsv'] });
  t.same(r.callbackUrls.map((u) => u.role), ['progress']);
});

t.test('PGS burn-in through overlay of a subtitle stream', async (t) => {
  const r = parsePlexArgv([
    '-codec:0', 'h264', '-codec:3', 'hdmv_pgs_subtitle', '-i', '/m/film.mkv',
    '-filter_complex', '[0:3]scale=1280:720[s];[0:0]scale=1280:720[v];[v][s]overlay=eof_action=pass[out]',
    '-map', '[out]', '-codec:0', 'libx264', '-map', '0:1', '-codec:1', 'aac', '-f', 'matroska', 'out.mkv',
  ]);
  t.match(r.subtitleBurnIn, { kind: 'overlay', filter: 'overlay', stream: '0:3', input: 0, sidecar: false, path: null });
  t.match(r.video, { codec: 'libx264', sourceCodec: 'h264', width: 1280, height: 720 });
  const vaapi = parsePlexArgv([
    '-i', '/m/film.mkv', '-i', '/t/subs.sup', '-filter_complex', '[0:v]hwupload[v];[v][1:0]overlay_vaapi[o]',
    '-map', '[o]', '-c:v', 'h264_vaapi', 'out.ts',
  ]);
  t.match(vaapi.subtitleBurnIn, { kind: 'overlay', filter: 'overlay_vaapi', stream: '1:0', input: 1, sidecar: true, path: '/t/subs.sup' });
  const logo = parsePlexArgv(['-i', 'a.mkv', '-i', 'logo.png', '-filter_complex', '[0:v][1:v]overlay[o]', '-map', '[o]', 'o.mkv']);
  t.equal(logo.subtitleBurnIn, null, 'an image overlay is not a subtitle');
});

t.test('stock subtitles= and ass= filters', async (t) => {
  const sidecar = parsePlexArgv(['-i', '/m/film.mkv', '-vf', "subtitles='/tmp/a\\:b.srt'", '-c:v', 'libx264', 'out.mp4']);
  t.match(sidecar.subtitleBurnIn, { kind: 'subtitles', path: '/tmp/a:b.srt', sidecar: true, stream: null });
  const embedded = parsePlexArgv(['-i', '/m/film.mkv', '-vf', 'subtitles=/m/film.mkv:si=1', '-c:v', 'libx264', 'out.mp4']);
  t.match(embedded.subtitleBurnIn, { kind: 'subtitles', stream: '0:s:1', input: 0, sidecar: false });
  const ass = parsePlexArgv(['-i', '/m/film.mkv', '-vf', 'ass=/t/x.ass', 'out.mp4']);
  t.match(ass.subtitleBurnIn, { kind: 'ass', path: '/t/x.ass', sidecar: true });
});

t.test('sizes from -s and positional or partial scaler arguments', async (t) => {
  const size = (extra: string[]) => parsePlexArgv(['-i', 'a.mkv', ...extra, '-c:v', 'libx264', 'o.mp4']).video;
  t.match(size(['-s', '1280x720']), { width: 1280, height: 720 });
  t.match(size(['-s', 'hd1080']), { width: 1920, height: 1080 });
  t.match(size(['-vf', 'scale=1280:720']), { width: 1280, height: 720 });
  t.match(size(['-vf', 'scale=w=1280:h=-2']), { width: 1280, height: null });
  t.match(size(['-vf', 'scale=iw/2:ih/2']), { width: null, height: null });
  t.match(size(['-vf', 'scale_cuda=1920:1080,scale_cuda=format=nv12']), { width: 1920, height: 1080 });
});

t.test('tone mapping filters', async (t) => {
  const tone = (graph: string) => parsePlexArgv(['-i', 'a.mkv', '-vf', graph, '-c:v', 'libx264', 'o.mp4']).toneMapping;
  t.same(tone('hwupload,tonemap_opencl=tonemap=hable:format=nv12,hwdownload'), { enabled: true, filters: ['tonemap_opencl'] });
  t.same(tone('zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=hable,zscale=t=bt709'), { enabled: true, filters: ['zscale', 'tonemap'] });
  t.same(tone('tonemap_vaapi=format=nv12'), { enabled: true, filters: ['tonemap_vaapi'] });
  t.same(tone('zscale=w=1280:h=720'), { enabled: false, filters: [] });
  t.same(tone('libplacebo=tonemapping=bt.2390'), { enabled: true, filters: ['libplacebo'] });
});

t.test('remux, audio-only and detection kinds', async (t) => {
  const kind = (argv: string[]) => parsePlexArgv(argv).kind;
  t.equal(kind(['-i', 'a.mkv', '-map', '0:0', '-codec:0', 'copy', '-map', '0:1', '-codec:1', 'copy', '-f', 'matroska', 'o.mkv']), 'remux');
  t.equal(kind(['-i', 'a.mkv', '-c', 'copy', 'o.mkv']), 'remux');
  t.equal(kind(['-codec:0', 'flac', '-i', '/music/a.flac', '-map', '0:0', '-codec:0', 'aac', '-b:0', '256k', '-f', 'mp4', 'o.m4a']), 'audio-only');
  t.equal(kind(['-i', '/music/a.flac', '-c:a', 'libmp3lame', '-b:a', '320k', 'o.mp3']), 'audio-only');
  t.equal(kind(['-i', 'a.mkv', '-vn', '-c:a', 'aac', '-f', 'matroska', 'o.mka']), 'audio-only');
  t.equal(kind(['-i', 'a.mkv', '-filter_complex', '[0:0]blackdetect=d=0.5[v]', '-map', '[v]', '-f', 'null', '-']), 'detection');
  t.equal(kind(['-i', 'a.mkv', '-map', '0:1', '-f', 'chromaprint', '-fp_format', 'base64', '/x/PlexCreditsDetection/fp.txt']), 'detection');
  t.equal(kind(['-i', 'a.mkv', '-map', '0:0', '-codec:0', 'copy', '/lib/Plex Versions/Optimized for TV/.inProgress/a.mkv.1']), 'optimize');
  t.equal(kind(['-i', 'a.mkv', '-map', '0:3', '-codec:0', 'srt', '-f', 'srt', 'o.srt']), 'unknown');
});

t.test('hex stream ids (-codec:#0x01, [0:#0x01], -map 0:#0x02)', async (t) => {
  const r = parsePlexArgv([
    '-codec:#0x01', 'libdav1d', '-ss', '217', '-i', '/m/a.mp4', '-start_at_zero', '-copyts',
    '-filter_complex', '[0:#0x01]scale=w=1920:h=1440:force_divisible_by=4[0];[0]format=pix_fmts=yuv420p|nv12[1]',
    '-map', '[1]', '-codec:0', 'libx264', '-crf:0', '16', '-map', '0:#0x02', '-codec:1', 'copy',
    '-f', 'dash', '-seg_duration', '1', '-skip_to_segment', '218', 'dash',
  ]);
  t.match(r.video, { codec: 'libx264', sourceCodec: 'libdav1d', width: 1920, height: 1440, crf: 16 });
  t.match(r.outputs[0]?.streams[1], { map: '0:#0x02', codec: 'copy', source: { input: 0, spec: '#0x02' } });
  t.match(r.segments, { durationSeconds: 1, skipToSegment: 218 });
  t.equal(r.seekSeconds, 217);
});

t.test('every loopback spelling is a callback; embedded URLs are found', async (t) => {
  const r = parsePlexArgv([
    '-i', 'http://localhost:32400/library/parts/1/file.mkv', '-progressurl', 'http://[::1]:32400/a/progress',
    '-segment_list', 'https://127.0.0.1:32443/a/manifest', '-vf', 'movie=http://127.0.0.1:32400/x.png[l]', 'http://[::1]:32400/upload',
  ]);
  t.same(r.callbackUrls.map((u) => [u.option, u.role, u.embedded]), [
    ['i', 'input', false], ['progressurl', 'progress', false], ['segment_list', 'manifest', false],
    ['filter', 'other', true], [null, 'output', false],
  ]);
  t.same(r.outputs[0]?.options.map((o) => o.name), ['segment_list', 'vf']);
  t.equal(r.remoteUrls.length, 0);
});

t.test('audio channels and rates from -ac/-ar, aformat and pan', async (t) => {
  const audio = (extra: string[]) => parsePlexArgv(['-i', 'a.mkv', '-vn', ...extra, '-c:a', 'aac', 'o.m4a']).audio;
  t.match(audio(['-ac', '2', '-ar', '44100']), { channels: 2, sampleRate: 44100, channelLayout: null });
  t.match(audio(['-af', 'aformat=sample_rates=48000|44100:channel_layouts=5.1|stereo']), { channels: 6, sampleRate: 48000, channelLayout: '5.1' });
  t.match(audio(['-af', 'pan=stereo|c0=FL|c1=FR']), { channels: 2, channelLayout: 'stereo' });
  t.match(audio(['-ch_layout', '7.1']), { channels: 8, channelLayout: '7.1' });
});

t.test('stream specifiers: by index, by type and type index, by program', async (t) => {
  const r = parsePlexArgv([
    '-i', 'a.mkv', '-map', '0:v:0', '-map', '0:a:0', '-map', '0:a:1',
    '-c:v', 'libx264', '-c:a:0', 'aac', '-c:a:1', 'ac3', '-b:p:1:a', '192k', '-b:a:1', '640k', '-c:u', 'copy', '-c:2', 'eac3', 'o.mkv',
  ]);
  t.same(r.outputs[0]?.streams.map((s) => s.codec), ['copy', 'copy', 'eac3']);
  const s = parsePlexArgv(['-i', 'a.mkv', '-map', '0:v:0', '-map', '0:a:0', '-map', '0:a:1', '-c:v', 'libx264', '-c:a:0', 'aac', '-c:a:1', 'ac3', '-b:p:1:a', '192k', 'o.mkv']);
  t.same(s.outputs[0]?.streams.map((x) => x.codec), ['libx264', 'aac', 'ac3']);
  t.match(s.audio, { codec: 'aac', bitrate: 192000 });
});
