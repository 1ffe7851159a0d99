// The library job's ffmpeg argv per encoder family and the encoder choice: what the real-ffmpeg
// tests (library.test.ts) cannot reach on a machine without a GPU, checked option by option.
import t from 'tap';
import { LIBRARY_TEMP_NAME, libraryTempName } from '../../core/wire/library.ts';
import { buildLibraryArgv, isChapterTrack, isCoverPicture, type LibraryStream } from '../../worker/library/argv.ts';
import { pickLibraryEncoder, type LibraryEncoder } from '../../worker/library/encoder.ts';
import type { ProbeCandidate } from '../../worker/probe/index.ts';

const request = { input: '/m/F.mkv', output: '/m/.F.plexbeam-abcd.mkv', codec: 'hevc', quality: null, muxer: 'matroska' } as const;
const video = (index: number, extra: Partial<LibraryStream> = {}): LibraryStream => ({ index, codec_type: 'video', codec_name: 'h264', pix_fmt: 'yuv420p', ...extra });
const audio: LibraryStream = { index: 1, codec_type: 'audio', codec_name: 'aac' };
const enc = (name: string, hwaccel: LibraryEncoder['hwaccel'] = 'software', device: string | null = null): LibraryEncoder => ({ name, hwaccel, device });
/** The options after `-c copy` up to `-max_muxing_queue_size`: the per-stream encoder options. */
const videoPart = (argv: string[]) => argv.slice(argv.indexOf('copy') + 1, argv.indexOf('-max_muxing_queue_size'));

t.test('every stream, the chapters and metadata copied; the input read as a file by an accepted demuxer; the output as a file by its muxer', async (t) => {
  const argv = buildLibraryArgv(request, enc('libx265'), [video(0), audio]);
  t.same(argv.slice(0, 10), ['-hide_banner', '-y', '-protocol_whitelist', 'file', '-format_whitelist', 'matroska,mov', '-i', 'file:/m/F.mkv', '-map', '0']);
  t.same(argv.slice(10, 16), ['-map_metadata', '0', '-map_chapters', '0', '-c', 'copy']);
  t.same(argv.slice(-5), ['-f', 'matroska', '-protocol_whitelist', 'file', 'file:/m/.F.plexbeam-abcd.mkv'], 'ends with the output, its muxer pinned');
  t.same(videoPart(argv), ['-c:v:0', 'libx265', '-preset:v:0', 'medium', '-crf:v:0', '24', '-x265-params:v:0', 'log-level=warning'], 'x265: CRF 24 by default');
});

t.test('per encoder family', async (t) => {
  const hevc = (encoder: LibraryEncoder, quality: number | null = 20) => videoPart(buildLibraryArgv({ ...request, quality }, encoder, [video(0)]));
  t.same(hevc(enc('hevc_nvenc', 'nvenc')), ['-c:v:0', 'hevc_nvenc', '-preset:v:0', 'p5', '-rc:v:0', 'vbr', '-cq:v:0', '20', '-b:v:0', '0']);
  t.same(hevc(enc('hevc_nvenc', 'nvenc'), null), ['-c:v:0', 'hevc_nvenc', '-preset:v:0', 'p5', '-rc:v:0', 'vbr', '-cq:v:0', '26', '-b:v:0', '0'], 'hardware default: the codec family\'s');
  t.same(hevc(enc('hevc_qsv', 'qsv')), ['-c:v:0', 'hevc_qsv', '-filter:v:0', 'format=nv12,hwupload=extra_hw_frames=64', '-global_quality:v:0', '20']);
  t.same(hevc(enc('hevc_vaapi', 'vaapi')), ['-c:v:0', 'hevc_vaapi', '-filter:v:0', 'format=nv12,hwupload', '-rc_mode:v:0', 'CQP', '-qp:v:0', '20']);
  const qsv = buildLibraryArgv(request, enc('hevc_qsv', 'qsv', '/dev/dri/renderD129'), [video(0)]);
  t.same(qsv.slice(2, 8), ['-init_hw_device', 'vaapi=va:/dev/dri/renderD129', '-init_hw_device', 'qsv=qs@va', '-filter_hw_device', 'qs'], 'QSV on the probed render node');
  const vaapi = buildLibraryArgv(request, enc('hevc_vaapi', 'vaapi'), [video(0)]);
  t.same(vaapi.slice(2, 6), ['-init_hw_device', 'vaapi=va:/dev/dri/renderD128', '-filter_hw_device', 'va'], 'VAAPI on the first render node when the probe named none');
  const av1 = (encoder: string, stream: LibraryStream) => videoPart(buildLibraryArgv({ ...request, codec: 'av1' }, enc(encoder), [stream]));
  t.same(av1('libsvtav1', video(0)), ['-c:v:0', 'libsvtav1', '-preset:v:0', '8', '-crf:v:0', '32'], 'SVT-AV1 keeps yuv420p');
  t.same(av1('libsvtav1', video(0, { pix_fmt: 'yuv444p' })), ['-c:v:0', 'libsvtav1', '-preset:v:0', '8', '-crf:v:0', '32', '-pix_fmt:v:0', 'yuv420p'], '8-bit 4:4:4 → yuv420p');
  t.same(av1('libsvtav1', video(0, { pix_fmt: 'yuv422p10le' })).slice(-2), ['-pix_fmt:v:0', 'yuv420p10le'], '10-bit 4:2:2 → yuv420p10le');
  t.same(av1('libsvtav1', video(0, { pix_fmt: undefined })).includes('-pix_fmt:v:0'), false, 'no pixel format known: none forced');
  t.same(av1('libaom-av1', video(0, { pix_fmt: 'yuv420p10le' })), ['-c:v:0', 'libaom-av1', '-cpu-used:v:0', '6', '-row-mt:v:0', '1', '-crf:v:0', '32', '-b:v:0', '0']);
});

t.test('a cover picture is copied, the other video streams are counted past it; HEVC in MP4/MOV is tagged hvc1; the MP4 chapter track is not copied twice', async (t) => {
  const cover = video(2, { codec_name: 'mjpeg', disposition: { attached_pic: 1 } });
  t.ok(isCoverPicture(cover));
  t.ok(isCoverPicture({ index: 3, codec_type: 'video', codec_name: 'png' }), 'a png is one even without the disposition');
  t.notOk(isCoverPicture(video(0)));
  const argv = buildLibraryArgv({ ...request, muxer: 'mp4', output: '/m/.F.plexbeam-abcd.mp4' }, enc('libx265'), [video(0), audio, cover, video(3), { index: 4, codec_type: 'data', codec_tag_string: 'text' }]);
  t.notOk(argv.includes('-c:v:1'), 'the cover (video stream 1) is not encoded');
  t.ok(argv.includes('-c:v:2'), 'the next video stream is video stream 2');
  t.same(argv.filter((a) => a.startsWith('-tag:v:')), ['-tag:v:0', '-tag:v:2'], 'hvc1 for each encoded stream');
  t.same(argv.slice(argv.indexOf('-map') + 2, argv.indexOf('-map') + 4), ['-map', '-0:4'], 'the chapter text track is left out');
  t.ok(isChapterTrack({ index: 4, codec_type: 'data', codec_tag_string: 'text' }));
  t.notOk(isChapterTrack({ index: 4, codec_type: 'data', codec_tag_string: 'gpmd' }), 'other data streams are copied');
  const mkv = buildLibraryArgv(request, enc('libx265'), [video(0), { index: 1, codec_type: 'data', codec_tag_string: 'text' }]);
  t.notOk(mkv.some((a) => a.startsWith('-tag:v')) || mkv.includes('-0:1'), 'Matroska: no tag, nothing left out');
});

t.test('the encoder: the probed hardware one, else the first software one that works', async (t) => {
  const candidate = (encoder: string, hwaccel: ProbeCandidate['hwaccel'], verdict: ProbeCandidate['verdict'], device: string | null = null): ProbeCandidate => ({ hwaccel, encoder, device, verdict, reason: null, ms: 1 });
  const asked: string[] = [];
  const works = (ok: string[]) => async (name: string) => (asked.push(name), ok.includes(name));
  t.same(await pickLibraryEncoder('av1', { hwaccel: 'vaapi', candidates: [candidate('av1_vaapi', 'vaapi', 'ok', '/dev/dri/renderD128')] }, works([])), { name: 'av1_vaapi', hwaccel: 'vaapi', device: '/dev/dri/renderD128' });
  t.same(await pickLibraryEncoder('hevc', { hwaccel: 'nvenc', candidates: [candidate('hevc_nvenc', 'nvenc', 'rejected')] }, works(['libx265'])), { name: 'libx265', hwaccel: 'software', device: null }, 'a rejected hardware encoder: software');
  t.same(asked, ['libx265'], 'asked for a test encode');
  asked.length = 0;
  t.same(await pickLibraryEncoder('hevc', { hwaccel: 'software', candidates: [candidate('libx265', 'software', 'ok')] }, works([])), { name: 'libx265', hwaccel: 'software', device: null }, 'the probe already passed it');
  t.same(asked, [], 'no second test encode');
  t.same(await pickLibraryEncoder('av1', { hwaccel: 'software', candidates: [candidate('libsvtav1', 'software', 'rejected')] }, works(['libaom-av1'])), { name: 'libaom-av1', hwaccel: 'software', device: null }, 'SVT-AV1 rejected: libaom');
  t.equal(await pickLibraryEncoder('av1', { hwaccel: 'software', candidates: [] }, works([])), null, 'none works: null');
});

t.test('the temporary name: hidden, tagged, same extension; one the request check accepts', async (t) => {
  t.equal(libraryTempName('Film (2001).mkv', 'ab12'), '.Film (2001).plexbeam-ab12.mkv');
  t.equal(libraryTempName('Film', 'ab12'), '.Film.plexbeam-ab12', 'no extension: none added');
  t.equal(libraryTempName('.hidden', 'ab12'), '..hidden.plexbeam-ab12', 'a leading dot is not an extension');
  t.match(LIBRARY_TEMP_NAME.exec(libraryTempName('A.b.mp4', 'XYZ9')), ['.A.b.plexbeam-XYZ9.mp4', 'A.b', 'XYZ9', '.mp4']);
  t.equal(LIBRARY_TEMP_NAME.test(libraryTempName('A.mkv', 'abc')), false, 'a tag under 4 characters does not match');
});
