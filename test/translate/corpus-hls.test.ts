// End to end: the other HLS-style samples (ssegment/segment) on stock ffmpeg after translation.
import t from 'tap';
import { ensureTestMedia, startFakePms } from '../harness/index.ts';
import { checkCsvList, checkHeaderPlusSegments, checkProgress, checkSegmentCodecs, checkSegments } from './helpers/checks.ts';
import { mediaClip } from './helpers/clips.ts';
import { plexPathOf, runSample } from './helpers/corpus.ts';

const media = await ensureTestMedia();
// Serves the live `.ts` of sample 17 as well (harness MEDIA_ROUTE).
const pms = await startFakePms({ mediaDir: media.dir });
t.teardown(() => pms.close());

t.test('06 direct stream: HEVC copy, EAC3 → AAC 5.1, ASS copied (variant: 4 s segments for the 10 s media)', async (t) => {
  const session = t.testdir();
  const r = await runSample('06', { media, pms, session, variant: (argv) => argv.map((a, i) => (argv[i - 1] === '-segment_time' ? '4' : a)) });
  t.equal(r.code, 0, r.stderr);
  t.ok(r.result.dropped.some((d) => d.option === '-strict_ts:2'), '-strict_ts dropped');
  const segs = checkSegments(t, session, 0);
  t.ok(segs.length >= 2, 'more than one segment');
  t.same(await checkHeaderPlusSegments(t, session, segs, ['video', 'audio', 'subtitle']), ['hevc', 'aac', 'ass'], 'video and subtitles copied');
  checkCsvList(t, r.requests, segs, 0, true);
  checkProgress(t, r.requests, plexPathOf('06', '-progressurl'));
});

t.test('07 NVIDIA phone: NVDEC + scale_cuda → software, sidecar SRT carried as a stream', async (t) => {
  const session = t.testdir();
  const r = await runSample('07', { media, pms, session, input: await mediaClip(media, 'av1Eac3', 1) });
  t.equal(r.code, 0, r.stderr);
  t.notMatch(r.result.argv.filter((a) => !a.includes('/')).join(' '), /cuda|nvenc|forced-idr/, 'no CUDA left for the software backend');
  const segs = checkSegments(t, session, 0);
  await checkHeaderPlusSegments(t, session, segs, ['video', 'audio', 'subtitle']);
});

t.test('20 VAAPI 4K, SRT carried as a stream', async (t) => {
  const session = t.testdir();
  const r = await runSample('20', { media, pms, session, input: await mediaClip(media, 'av1Eac3', 1) });
  t.equal(r.code, 0, r.stderr);
  const segs = checkSegments(t, session, 0);
  await checkHeaderPlusSegments(t, session, segs, ['video', 'audio', 'subtitle']);
  checkCsvList(t, r.requests, segs, 0, true);
});

t.test('16 older Plex: -f segment mpegts, DTS → AAC, options after the output, LAN progress URL', async (t) => {
  const session = t.testdir();
  const r = await runSample('16', { media, pms, session });
  t.equal(r.code, 0, r.stderr);
  t.ok(r.result.dropped.some((d) => d.option === '-segment_copyts'), '-segment_copyts dropped');
  t.equal(r.result.progressUrl, `${pms.url}${plexPathOf('16', '-progressurl')}`);
  checkProgress(t, r.requests, plexPathOf('16', '-progressurl'));
  checkSegments(t, session, 0);
  await checkSegmentCodecs(t, session, ['h264', 'aac']);
});

t.test('17 Live TV over HTTP (the fake PMS serves the .ts), mpegts segments', async (t) => {
  const session = t.testdir();
  const r = await runSample('17', { media, pms, session });
  t.equal(r.code, 0, r.stderr);
  t.match(r.argv[r.argv.indexOf('-i') + 1], /^http:\/\/127\.0\.0\.1:\d+\/harness\/media\/live-h264-aac\.ts$/);
  checkSegments(t, session, 0);
  await checkSegmentCodecs(t, session, ['h264', 'ac3']);
});
