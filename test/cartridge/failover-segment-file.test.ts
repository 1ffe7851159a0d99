// The file a local resume watches for (its first segment: the gap recorded in the resume event),
// for the facts core/plex-argv/resume.ts reads from corpus argv: an HLS printf pattern, and a DASH
// template whose `$Number%05d$` carries a printf width of its own (it was filled as `%05d`
// first, leaving `chunk-stream0-$Number00004$.m4s`, a file no run writes: a DASH local resume
// recorded no gap).
import t from 'tap';
import { segmentFile } from '../../cartridge/resume/failover.ts';
import { resumeFactsOf } from '../../core/plex-argv/resume.ts';
import { loadCorpus } from '../harness/index.ts';

const corpus = new Map(loadCorpus().map((s) => [s.id, s.argv]));

t.test('HLS ssegment (corpus 20): media-%05d.ts in the output folder', async (t) => {
  const facts = resumeFactsOf(corpus.get('20') as string[]);
  t.ok(facts !== null);
  if (facts === null) return;
  t.equal(segmentFile(facts, '/tx/session', 3), '/tx/session/media-00003.ts');
  t.equal(segmentFile({ pattern: 'seg-%d.ts', folder: 'out' }, '/tx/s', 12), '/tx/s/out/seg-12.ts', 'no width, a folder');
});

t.test("DASH (corpus 12): the first representation's chunk, numbered by the template's own width", async (t) => {
  const facts = resumeFactsOf(corpus.get('12') as string[]);
  t.ok(facts !== null);
  if (facts === null) return;
  t.equal(facts.pattern, 'chunk-stream$RepresentationID$-$Number%05d$.m4s', "corpus 12's -media_seg_name");
  t.equal(segmentFile(facts, '/tx/session', 4), '/tx/session/chunk-stream0-00004.m4s');
  t.equal(segmentFile({ pattern: 'c-$RepresentationID$-$Number$.$ext$', folder: '.' }, '/tx/s', 7), '/tx/s/c-0-7.m4s', 'no width, $ext$');
});
