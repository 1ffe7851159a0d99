// End to end: corpus samples that write plain files (Optimize mp4, thumbnails, detection flac).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { runSample } from './helpers/corpus.ts';
import { startFakePms } from './helpers/fake-pms.ts';
import { testMedia } from './helpers/media.ts';
import { ffprobe } from './helpers/run.ts';

const pms = await startFakePms();
t.teardown(() => pms.close());

/** Top-level MP4 box types in order. */
function topBoxes(buf: Buffer): string[] {
  const types: string[] = [];
  for (let at = 0; at + 8 <= buf.length;) {
    const size = buf.readUInt32BE(at);
    types.push(buf.toString('latin1', at + 4, at + 8));
    if (size < 8) break;
    at += size;
  }
  return types;
}

for (const n of ['05', '15']) {
  t.test(`${n} Optimize for Mobile: VAAPI → software HEVC 720p mp4 with +faststart`, async (t) => {
    const dir = t.testdir();
    const r = await runSample(n, dir, pms, { inputs: [testMedia('hdr', 4)] });
    t.equal(r.code, 0, r.stderr);
    const [file] = readdirSync(join(dir, 'out'));
    const path = join(dir, 'out', file ?? '');
    t.same(ffprobe(path).streams.map((s) => s.codec_name), ['hevc', 'aac'], 'HEVC + AAC mp4');
    const boxes = topBoxes(readFileSync(path));
    t.ok(boxes.indexOf('moov') < boxes.indexOf('mdat'), `faststart: moov before mdat (${boxes.join(' ')})`);
    if (n === '05') t.ok(r.result.argv.includes('noise=drop=lt(n\\,2)'), 'framedrop=count=2 → noise=drop');
  });
}

t.test('04 thumbnails: libdav1d, -skip_frame noref, image2 JPEGs (seek 1321 s scaled to 2 s)', async (t) => {
  const dir = t.testdir();
  const r = await runSample('04', dir, pms, { inputs: [testMedia('av1', 8)], seek: { from: '1321', to: '2' } });
  t.equal(r.code, 0, r.stderr);
  const thumbs = readdirSync(dir).filter((f) => /^thumb-\d{5}\.jpeg$/.test(f)).sort();
  t.ok(thumbs.length >= 2, `${thumbs.length} thumbnails`);
  t.equal(thumbs[0], 'thumb-00001.jpeg');
  for (const f of thumbs) t.same([...readFileSync(join(dir, f)).subarray(0, 3)], [0xff, 0xd8, 0xff], `${f} is a JPEG`);
  t.equal(r.result.progressUrl, null, 'no progress URL in a thumbnail job');
});

t.test('19 audio detection pass: eac3_eae → native eac3, flac output with -t', async (t) => {
  const dir = t.testdir();
  const r = await runSample('19', dir, pms, { inputs: [testMedia('av1', 4)] });
  t.equal(r.code, 0, r.stderr);
  const out = join(dir, 'out', '076b1dde-414e-47f2-9f2a-96cbfc333e12');
  t.same(ffprobe(out).streams.map((s) => s.codec_name), ['flac'], 'flac file');
  t.ok(r.result.dropped.some((d) => d.option === '-eae_prefix:1' || d.option === '-eae_prefix'), 'eae_prefix dropped');
});
