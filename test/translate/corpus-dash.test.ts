// End to end: the DASH corpus samples run on stock ffmpeg after translation (software backend).
import t from 'tap';
import { runSample } from './helpers/corpus.ts';
import { checkDash, firstChunkTime } from './helpers/dash.ts';
import { startFakePms } from './helpers/fake-pms.ts';
import { testMedia } from './helpers/media.ts';

const pms = await startFakePms();
t.teardown(() => pms.close());
const manifest = (session: string): string => `/video/:/transcode/session/${session}/manifest`;

t.test('09 DASH NVDEC + scale_cuda → software scale, h264_nvenc → libx264', async (t) => {
  const dir = t.testdir();
  const r = await runSample('09', dir, pms, { inputs: [testMedia('hdr', 4)] });
  t.equal(r.code, 0, r.stderr);
  t.ok(r.result.argv.includes('libx264'), 'h264_nvenc became libx264');
  checkDash(t, dir, pms, manifest('rm-15-1606-510193158/3196a5c5-5174-4ee6-a24b-536efe361601'), 1, 2);
});

t.test('10 DASH tonemap_cuda → zscale+tonemap', async (t) => {
  const dir = t.testdir();
  const r = await runSample('10', dir, pms, { inputs: [testMedia('hdr', 4)] });
  t.equal(r.code, 0, r.stderr);
  t.match(r.result.argv.join(' '), /zscale=.*tonemap=tonemap=hable/);
  checkDash(t, dir, pms, manifest('rm-2-1606-283367600/44f01b31-7218-45b6-bcb8-ae7b504d508d'), 1, 2);
});

t.test('11 DASH inlineass burn-in of an embedded ASS stream (0:2), null sink dropped', async (t) => {
  const dir = t.testdir();
  const r = await runSample('11', dir, pms, { inputs: [testMedia('h264ass', 12)] });
  t.equal(r.code, 0, r.stderr);
  t.match(r.result.argv.join(' '), /subtitles=filename=.*h264ass-12s\.mkv:si=0/);
  t.notOk(r.result.argv.includes('nullfile'), 'decode sink output dropped');
  checkDash(t, dir, pms, manifest('rm-7-1606-495563973/ce9fc128-9345-492f-b1e0-69006dee4aba'), 1, 2);
});

t.test('12 DASH software libx264 with -x264opts (kept as is)', async (t) => {
  const dir = t.testdir();
  const r = await runSample('12', dir, pms, { inputs: [testMedia('h264ass', 12)] });
  t.equal(r.code, 0, r.stderr);
  t.ok(r.result.argv.includes('-x264opts:0'), '-x264opts kept for libx264');
  checkDash(t, dir, pms, manifest('rm-6-1606-969404086/0d540652-463c-49b2-9396-425b55cd411e'), 1, 2);
});

t.test('12 with a seek (variant): -ss 4, -skip_to_segment 2 → chunks from 2, tfdt at 4 s', async (t) => {
  const dir = t.testdir();
  const r = await runSample('12', dir, pms, { inputs: [testMedia('h264ass', 12)] }, undefined,
    (argv) => ['-ss', '4', ...argv.map((a, i) => (argv[i - 1] === '-skip_to_segment' ? '2' : a))]);
  t.equal(r.code, 0, r.stderr);
  const mpd = checkDash(t, dir, pms, manifest('rm-6-1606-969404086/0d540652-463c-49b2-9396-425b55cd411e'), 2, 2);
  t.comment(`tfdt video ${firstChunkTime(dir, mpd, 0, 2)} audio ${firstChunkTime(dir, mpd, 1, 2)}`);
  t.ok(Math.abs(firstChunkTime(dir, mpd, 0, 2) - 4) < 0.1, 'video tfdt of the first chunk is the seek position');
  t.ok(Math.abs(firstChunkTime(dir, mpd, 1, 2) - 4) < 0.1, 'audio tfdt of the first chunk is the seek position');
});

t.test('13 DASH software HDR tonemap + escaped inlineass overrides of an embedded SRT', async (t) => {
  const dir = t.testdir();
  const r = await runSample('13', dir, pms, { inputs: [testMedia('hdr', 4)] });
  t.equal(r.code, 0, r.stderr);
  t.match(r.result.argv.join(' '), /force_style=Outline\\\\=2\.6.*FontName\\\\=Noto Sans Medium/);
  checkDash(t, dir, pms, manifest('rm-3-1606-006242888/cc06707a-bc8b-4a86-89b4-5d934c5431ed'), 1, 2);
});

t.test('18 DASH GPU-less server: libdav1d AV1 → libx264, unused VAAPI device init dropped', async (t) => {
  const dir = t.testdir();
  const r = await runSample('18', dir, pms, { inputs: [testMedia('av1', 4)] });
  t.equal(r.code, 0, r.stderr);
  t.notOk(r.result.argv.includes('-init_hw_device'), 'no device init on software');
  t.ok(r.result.argv.includes('libdav1d'), 'AV1 decoded with libdav1d');
  checkDash(t, dir, pms, '/.../manifest', 1, 2);
});
