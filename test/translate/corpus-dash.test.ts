// End to end: the DASH corpus samples run on stock ffmpeg after translation (software backend).
import t from 'tap';
import { ensureTestMedia, startFakePms } from '../harness/index.ts';
import { checkProgress } from './helpers/checks.ts';
import { mediaClip } from './helpers/clips.ts';
import { plexPathOf, runSample } from './helpers/corpus.ts';
import { checkDash, firstChunkTime } from './helpers/dash-checks.ts';

const media = await ensureTestMedia();
const pms = await startFakePms();
t.teardown(() => pms.close());
const manifest = (id: string): string => plexPathOf(id, '-manifest_name');

t.test('09 DASH NVDEC + scale_cuda → software scale, h264_nvenc → libx264', async (t) => {
  const session = t.testdir();
  const r = await runSample('09', { media, pms, session, input: await mediaClip(media, 'hevc10Eac3', 4) });
  t.equal(r.code, 0, r.stderr);
  t.ok(r.result.argv.includes('libx264'), 'h264_nvenc became libx264');
  await checkDash(t, session, r.requests, manifest('09'), 1, 2);
  checkProgress(t, r.requests, plexPathOf('09', '-progressurl'));
});

t.test('10 DASH tonemap_cuda → zscale+tonemap', async (t) => {
  const session = t.testdir();
  const r = await runSample('10', { media, pms, session, input: await mediaClip(media, 'av1Eac3', 4) });
  t.equal(r.code, 0, r.stderr);
  t.match(r.result.argv.join(' '), /zscale=.*tonemap=tonemap=hable/);
  await checkDash(t, session, r.requests, manifest('10'), 1, 2);
});

t.test('11 DASH inlineass burn-in of an embedded ASS stream (0:2), null sink dropped', async (t) => {
  const session = t.testdir();
  const clip = await mediaClip(media, 'h264Fhd', 4);
  const r = await runSample('11', { media, pms, session, input: clip });
  t.equal(r.code, 0, r.stderr);
  t.match(r.result.argv.join(' '), /subtitles=filename=.*h264-1080p-4s\.mkv:si=0/);
  t.notOk(r.result.argv.includes('nullfile'), 'decode sink output dropped');
  await checkDash(t, session, r.requests, manifest('11'), 1, 2);
});

t.test('12 DASH software libx264 with -x264opts (kept as is)', async (t) => {
  const session = t.testdir();
  const r = await runSample('12', { media, pms, session });
  t.equal(r.code, 0, r.stderr);
  t.ok(r.result.argv.includes('-x264opts:0'), '-x264opts kept for libx264');
  await checkDash(t, session, r.requests, manifest('12'), 1, 2);
});

t.test('12 with a seek (variant): -ss 4, -skip_to_segment 2 → chunks from 2, tfdt at 4 s', async (t) => {
  const session = t.testdir();
  const r = await runSample('12', { media, pms, session, variant: (argv) => ['-ss', '4', ...argv.map((a, i) => (argv[i - 1] === '-skip_to_segment' ? '2' : a))] });
  t.equal(r.code, 0, r.stderr);
  const mpd = await checkDash(t, session, r.requests, manifest('12'), 2, 2);
  t.comment(`tfdt video ${firstChunkTime(session, mpd, 0, 2)} audio ${firstChunkTime(session, mpd, 1, 2)}`);
  t.ok(Math.abs(firstChunkTime(session, mpd, 0, 2) - 4) < 0.1, 'video tfdt of the first chunk is the seek position');
  t.ok(Math.abs(firstChunkTime(session, mpd, 1, 2) - 4) < 0.1, 'audio tfdt of the first chunk is the seek position');
});

t.test('13 DASH software HDR tonemap + escaped inlineass overrides of an embedded SRT', async (t) => {
  const session = t.testdir();
  const r = await runSample('13', { media, pms, session, input: await mediaClip(media, 'av1Eac3', 4) });
  t.equal(r.code, 0, r.stderr);
  t.match(r.result.argv.join(' '), /force_style=Outline\\\\=2\.6.*FontName\\\\=Noto Sans Medium/);
  await checkDash(t, session, r.requests, manifest('13'), 1, 2);
});

t.test('18 DASH GPU-less server: libdav1d AV1 → libx264, unused VAAPI device init dropped', async (t) => {
  const session = t.testdir();
  const r = await runSample('18', { media, pms, session, input: await mediaClip(media, 'av1Eac3', 4) });
  t.equal(r.code, 0, r.stderr);
  t.notOk(r.result.argv.includes('-init_hw_device'), 'no device init on software');
  t.ok(r.result.argv.includes('libdav1d'), 'AV1 decoded with libdav1d');
  await checkDash(t, session, r.requests, manifest('18'), 1, 2);
});
