// Post-processing pieces: CSV rows, MPD numbering/timelines, fragment time patching.
import t from 'tap';
import { formatPlexCsv, parseCsvList } from '../../worker/translate/post/csv-list.ts';
import { parseRepresentations, renumberManifest, shiftTimelines } from '../../worker/translate/post/dash-manifest.ts';
import { fillTemplate } from '../../worker/translate/post/dash-publisher.ts';
import { firstSampleTiming, shiftFragmentTimes } from '../../worker/translate/post/mp4-boxes.ts';

t.test('CSV: stock rows in, Plex rows out', async (t) => {
  const rows = parseCsvList('media-00004.ts,0.000000,5.000000\n"a,b.ts",5.000000,6.000000\n');
  t.same(rows, [{ name: 'media-00004.ts', start: 0, end: 5 }, { name: 'a,b.ts', start: 5, end: 6 }]);
  t.equal(formatPlexCsv(rows.slice(0, 1), true), 'media-00004.ts,0.000000,5.000000,5.000000,5.000000\n');
  t.equal(formatPlexCsv(rows.slice(1), false), '"a,b.ts",5.000000,6.000000\n');
});

const mpd = `<MPD><Period><AdaptationSet><Representation id="0" bandwidth="1"><SegmentTemplate timescale="12288" startNumber="1"><SegmentTimeline><S t="512" d="24576" r="1" /><S d="100" /></SegmentTimeline></SegmentTemplate></Representation></AdaptationSet>
<AdaptationSet><Representation id="1"><SegmentTemplate timescale="48000" startNumber="3"><SegmentTimeline><S t="0" d="96000" /></SegmentTimeline></SegmentTemplate></Representation></AdaptationSet></Period></MPD>`;

t.test('MPD: timelines, renumbering, shifting', async (t) => {
  t.same(parseRepresentations(mpd), [
    { id: '0', startNumber: 1, timescale: 12288, starts: [512, 25088, 49664] },
    { id: '1', startNumber: 3, timescale: 48000, starts: [0] },
  ]);
  t.match(renumberManifest(mpd, 9), /startNumber="10"[\s\S]*startNumber="12"/);
  const shifted = shiftTimelines(mpd, new Map([['0', 1000], ['1', 48000]]));
  t.match(shifted, /<S t="1512" d="24576" r="1" \/><S d="100" \/>/);
  t.match(shifted, /<S t="48000" d="96000" \/>/);
  t.equal(fillTemplate('chunk-stream$RepresentationID$-$Number%05d$.$ext$', '1', 42), 'chunk-stream1-00042.m4s');
});

/** A minimal media segment: styp, sidx v0, moof/traf(tfhd, tfdt v1, trun with a CTO), mdat. */
function segment(): Buffer {
  const box = (type: string, ...parts: Buffer[]) => {
    const body = Buffer.concat(parts);
    const head = Buffer.alloc(8);
    head.writeUInt32BE(8 + body.length);
    head.write(type, 4, 'latin1');
    return Buffer.concat([head, body]);
  };
  const sidx = Buffer.alloc(24); sidx.writeUInt32BE(1, 4); sidx.writeUInt32BE(12288, 8); sidx.writeUInt32BE(0, 12);
  const tfdt = Buffer.alloc(12); tfdt.writeUInt8(1, 0); tfdt.writeBigUInt64BE(0n, 4);
  const trun = Buffer.alloc(16); trun.writeUIntBE(0x000801, 1, 3); trun.writeUInt32BE(1, 4); trun.writeUInt32BE(0, 8); trun.writeUInt32BE(512, 12);
  return Buffer.concat([box('styp', Buffer.alloc(8)), box('sidx', sidx),
    box('moof', box('traf', box('tfhd', Buffer.alloc(8)), box('tfdt', tfdt), box('trun', trun))), box('mdat', Buffer.alloc(4))]);
}

t.test('fragment times: tfdt and sidx move by the seek', async (t) => {
  const buf = segment();
  t.same(firstSampleTiming(buf), { tfdt: 0, cto: 512 });
  shiftFragmentTimes(buf, 49152);
  t.same(firstSampleTiming(buf), { tfdt: 49152, cto: 512 });
  const sidxAt = buf.indexOf('sidx', 0, 'latin1') + 4;
  t.equal(buf.readUInt32BE(sidxAt + 12), 49152, 'sidx earliest presentation time');
  const tooBig = segment();
  t.throws(() => shiftFragmentTimes(tooBig, 2 ** 33), /overflows/, 'v0 sidx cannot hold it');
});
