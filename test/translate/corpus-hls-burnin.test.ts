// End to end: the 4K HLS samples with a subtitle burn-in (the slowest: 4K HEVC in software here).
import t from 'tap';
import { ensureTestMedia, probeMedia, startFakePms } from '../harness/index.ts';
import { checkCsvList, checkHeaderPlusSegments, checkProgress, checkSegments, progressPercents } from './helpers/checks.ts';
import { mediaClip } from './helpers/clips.ts';
import { plexPathOf, runSample } from './helpers/corpus.ts';

const media = await ensureTestMedia();
const pms = await startFakePms();
t.teardown(() => pms.close());

t.test('01 Android original quality: VAAPI 4K HDR + inlineass burn-in of a sidecar SRT', async (t) => {
  const session = t.testdir();
  const r = await runSample('01', { media, pms, session, input: await mediaClip(media, 'av1Eac3', 1) });
  t.equal(r.code, 0, r.stderr);
  t.match(r.result.argv.join(' '), /subtitles=filename=.*temp-0\.srt:si=0/, 'inlineass became subtitles=');
  t.ok(r.result.argv.includes('libdav1d'), 'AV1 decoded in software with libdav1d');
  const segs = checkSegments(t, session, 0);
  t.same(await checkHeaderPlusSegments(t, session, segs, ['video', 'audio']), ['hevc', 'aac'], 'hevc_vaapi → libx265, EAC3 → AAC');
  checkCsvList(t, r.requests, segs, 0, true);
  checkProgress(t, r.requests, plexPathOf('01', '-progressurl'));
  t.same(r.warnings, [], 'publishers had nothing to complain about');
});

t.test('02 Android seek: -ss before both inputs, -segment_start_number (1816 s scaled to 1 s)', async (t) => {
  const session = t.testdir();
  const clip = await mediaClip(media, 'av1Eac3', 2);
  const r = await runSample('02', { media, pms, session, input: clip, seekTo: 1 });
  t.equal(r.code, 0, r.stderr);
  t.equal(r.result.seekOffset, 1);
  const segs = checkSegments(t, session, 1);
  await checkHeaderPlusSegments(t, session, segs, ['video', 'audio']);
  checkCsvList(t, r.requests, segs, 1, true);
  checkProgress(t, r.requests, plexPathOf('02', '-progressurl'));
  const seekPercent = 100 / Number((await probeMedia(clip)).format.duration);
  t.ok(progressPercents(r.requests).every((p) => p >= seekPercent - 0.1), `progress counts from the seek (${seekPercent.toFixed(1)} %)`);
});
