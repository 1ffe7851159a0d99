// Corpus samples writing plain files through a real worker: Optimize into a library's
// "Plex Versions" folder, thumbnails, and the audio detection pass.
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { probeMedia } from '../harness/index.ts';
import { checkProgress } from '../translate/helpers/checks.ts';
import { mediaClip } from '../translate/helpers/clips.ts';
import { plexPathOf } from '../translate/helpers/corpus.ts';
import { topBoxes } from '../translate/helpers/dash-checks.ts';
import { checkRelayOrder, runThroughWorker, startCorpusWorker } from './corpus-worker.ts';

const cw = await startCorpusWorker(t);

t.test('05 Optimize through the worker: HEVC mp4 written into the media root\'s Plex Versions folder', async (t) => {
  const folder = join(cw.library, 'Movies', 'Plex Versions', 'Optimized for Mobile', '.inProgress');
  mkdirSync(folder, { recursive: true }); // Plex makes it before it starts the transcoder
  const out = join(folder, 'movie.mp4.17581');
  const run = await runThroughWorker(cw, '05', { session: 'optimize-05', input: await mediaClip(cw.media, 'av1Eac3', 4), edit: (argv) => [...argv.slice(0, -1), out] });
  t.match(run.end, { state: 'completed', exit_code: 0 });
  t.same((await probeMedia(out)).streams.map((s) => s.codec_name), ['hevc', 'aac'], 'HEVC + AAC mp4');
  const boxes = topBoxes(readFileSync(out));
  t.ok(boxes.indexOf('moov') < boxes.indexOf('mdat'), `faststart: moov before mdat (${boxes.join(' ')})`);
  checkProgress(t, run.requests, plexPathOf('05', '-progressurl'));
  await checkRelayOrder(t, cw, run);
});

t.test('04 thumbnails through the worker: JPEGs, nothing sent to Plex', async (t) => {
  const run = await runThroughWorker(cw, '04', { session: 'thumbs-04', seekTo: 2 });
  t.match(run.end, { state: 'completed', exit_code: 0 });
  const thumbs = readdirSync(run.sessionDir).filter((f) => /^thumb-\d{5}\.jpeg$/.test(f)).sort();
  t.ok(thumbs.length >= 2, `${thumbs.length} thumbnails`);
  for (const f of thumbs) t.same([...readFileSync(join(run.sessionDir, f)).subarray(0, 3)], [0xff, 0xd8, 0xff], `${f} is a JPEG`);
  t.same(run.requests, [], 'no progress URL, no callbacks');
  await checkRelayOrder(t, cw, run);
});

t.test('19 audio detection pass through the worker: flac, progress for the audio stream', async (t) => {
  const run = await runThroughWorker(cw, '19', { session: 'detect-19' });
  t.match(run.end, { state: 'completed', exit_code: 0 });
  t.same((await probeMedia(run.argv.at(-1) as string)).streams.map((s) => s.codec_name), ['flac'], 'flac file');
  checkProgress(t, run.requests, plexPathOf('19', '-progressurl'), ['audio']);
  await checkRelayOrder(t, cw, run);
});
