// End to end: corpus samples that write plain files (Optimize mp4, thumbnails, detection flac).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ensureTestMedia, probeMedia, startFakePms } from '../harness/index.ts';
import { checkProgress } from './helpers/checks.ts';
import { mediaClip } from './helpers/clips.ts';
import { plexPathOf, runSample } from './helpers/corpus.ts';
import { topBoxes } from './helpers/dash-checks.ts';

const media = await ensureTestMedia();
const pms = await startFakePms();
t.teardown(() => pms.close());

for (const id of ['05', '15']) {
  t.test(`${id} Optimize for Mobile: VAAPI → software HEVC 720p mp4 with +faststart`, async (t) => {
    const session = t.testdir();
    const r = await runSample(id, { media, pms, session, input: await mediaClip(media, 'av1Eac3', 4) });
    t.equal(r.code, 0, r.stderr);
    const out = r.argv.at(-1) as string;
    t.match(out, /\/Plex Versions\/Optimized for Mobile\/\.inProgress\//);
    t.same((await probeMedia(out)).streams.map((s) => s.codec_name), ['hevc', 'aac'], 'HEVC + AAC mp4');
    const boxes = topBoxes(readFileSync(out));
    t.ok(boxes.indexOf('moov') < boxes.indexOf('mdat'), `faststart: moov before mdat (${boxes.join(' ')})`);
    if (id === '05') t.ok(r.result.argv.includes('noise=drop=lt(n\\,2)'), 'framedrop=count=2 → noise=drop');
    checkProgress(t, r.requests, plexPathOf(id, '-progressurl'));
  });
}

t.test('04 thumbnails: libdav1d, -skip_frame noref, image2 JPEGs (seek 1321 s scaled to 2 s)', async (t) => {
  const session = t.testdir();
  const r = await runSample('04', { media, pms, session, seekTo: 2 });
  t.equal(r.code, 0, r.stderr);
  const thumbs = readdirSync(session).filter((f) => /^thumb-\d{5}\.jpeg$/.test(f)).sort();
  t.ok(thumbs.length >= 2, `${thumbs.length} thumbnails`);
  t.equal(thumbs[0], 'thumb-00001.jpeg');
  for (const f of thumbs) t.same([...readFileSync(join(session, f)).subarray(0, 3)], [0xff, 0xd8, 0xff], `${f} is a JPEG`);
  t.equal(r.result.progressUrl, null, 'no progress URL in a thumbnail job');
  t.same(r.requests, [], 'nothing sent to Plex');
});

t.test('19 audio detection pass: eac3_eae → native eac3, flac output with -t', async (t) => {
  const session = t.testdir();
  const r = await runSample('19', { media, pms, session });
  t.equal(r.code, 0, r.stderr);
  t.same((await probeMedia(r.argv.at(-1) as string)).streams.map((s) => s.codec_name), ['flac'], 'flac file');
  t.ok(r.result.dropped.some((d) => d.option === '-eae_prefix'), 'eae_prefix dropped');
  checkProgress(t, r.requests, plexPathOf('19', '-progressurl'), ['audio']);
});
