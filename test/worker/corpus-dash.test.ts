// Corpus DASH sample 12 through a real worker: chunks published, the manifest PUT over the link.
import t from 'tap';
import { checkProgress } from '../translate/helpers/checks.ts';
import { plexPathOf } from '../translate/helpers/corpus.ts';
import { checkDash, firstChunkTime } from '../translate/helpers/dash-checks.ts';
import { checkRelayOrder, runThroughWorker, startCorpusWorker } from './corpus-worker.ts';

const cw = await startCorpusWorker(t);
const manifest = plexPathOf('12', '-manifest_name');

t.test('12 DASH (software libx264) through the worker', async (t) => {
  const run = await runThroughWorker(cw, '12', { session: 'dash-12' });
  t.match(run.end, { state: 'completed', exit_code: 0 });
  const mpd = await checkDash(t, run.sessionDir, run.requests, manifest, 1, 2);
  t.match(mpd, /<MPD[\s\S]*<\/MPD>/, 'the complete manifest reached Plex');
  checkProgress(t, run.requests, plexPathOf('12', '-progressurl'));
  await checkRelayOrder(t, cw, run);
  const puts = run.relay.link.messages.filter((m) => m.type === 'callback' && m.path === manifest);
  t.ok(puts.every((m) => m.method === 'PUT' && m.query === 'X-Plex-Http-Pipeline=infinite'), 'manifest PUTs keep Plex\'s query');
});

t.test('12 with a seek (variant) through the worker: chunks from -skip_to_segment, tfdt at the seek', async (t) => {
  const seek = (argv: string[]) => ['-ss', '4', ...argv.map((a, i) => (argv[i - 1] === '-skip_to_segment' ? '2' : a))];
  const run = await runThroughWorker(cw, '12', { session: 'dash-12-seek', edit: seek });
  t.match(run.end, { state: 'completed', exit_code: 0 });
  const mpd = await checkDash(t, run.sessionDir, run.requests, manifest, 2, 2);
  t.ok(Math.abs(firstChunkTime(run.sessionDir, mpd, 0, 2) - 4) < 0.1, 'video tfdt of the first chunk is the seek position');
  await checkRelayOrder(t, cw, run);
});
