/**
 * The demo's own parts, in process: its Plex argv is read by PlexBeam's parser exactly as the
 * corpus's captured HLS play (sample 20), the stand-in Plex counts what a transcoder sends, and
 * the small decisions (the encoder in a logged argv, the confinement retry) are right.
 */
import t from 'tap';
import { startCallbackServer } from '../../cli/demo/callback-server.ts';
import { confinementFallback } from '../../cli/demo/confinement.ts';
import { formatSpeed } from '../../cli/demo/format.ts';
import { buildPlexHlsArgv, sessionPath } from '../../cli/demo/plex-argv.ts';
import { videoEncoderIn } from '../../cli/demo/worker-encoder.ts';
import { parsePlexArgv } from '../../core/plex-argv/index.ts';
import { loadCorpus } from '../harness/corpus.ts';

const session = { key: 'e4434f51-5f61-430b-9663-8e442dba1722', id: 'a3a7d298-97cf-40d4-8e83-17e27cea7ad6' };

t.test("the demo's argv has the shape of Plex's HLS play (corpus 20): same kind, muxer, segments and callbacks", async (t) => {
  const plex = parsePlexArgv(loadCorpus().find((s) => s.id === '20')!.argv);
  const demo = parsePlexArgv(buildPlexHlsArgv({ input: '/media/Movies/Demo (2026)/Demo (2026).mkv', plexUrl: 'http://127.0.0.1:40123', session }));
  for (const key of ['kind', 'format', 'protocol', 'container'] as const) t.equal(demo[key], plex[key], key);
  t.same({ ...demo.segments, manifest: null }, { ...plex.segments, manifest: null }, '1 s CSV-listed segments from 0');
  t.equal(demo.segments?.manifest, `http://127.0.0.1:40123${sessionPath(session)}/manifest?X-Plex-Http-Pipeline=infinite`);
  t.same(demo.callbackUrls.map((c) => [c.option, c.role]), plex.callbackUrls.map((c) => [c.option, c.role]));
  t.same(demo.unknownOptions, []);
  t.same(demo.warnings, []);
  const tail = (pattern: string) => pattern.slice(pattern.indexOf('-segment_format'));
  t.equal(tail(demo.pattern), tail(plex.pattern), "the segmenter's options word for word");
  t.match(demo.video, { codec: 'libx264', sourceCodec: 'h264', width: 1280, height: 720 });
});

t.test('the stand-in Plex counts progress reports and segment lists, and when a segment was first listed', async (t) => {
  const plex = await startCallbackServer();
  t.teardown(() => plex.close());
  const base = `${plex.url}${sessionPath(session)}`;
  const startup = await fetch(`${base}/progress?status=startup`, { method: 'PUT' });
  t.equal(startup.status, 200);
  t.match(await startup.text(), /<MediaContainer size="0">/);
  await fetch(`${base}/progress/streamDetail?index=0&codec=h264`, { method: 'PUT' });
  t.equal(plex.firstSegmentListedAt, null);
  await fetch(`${base}/manifest?X-Plex-Http-Pipeline=infinite`, { method: 'POST', body: 'media-00000.ts,0.000000,1.000000,1.000000,1.000000\n' });
  await fetch(`${base}/manifest?X-Plex-Http-Pipeline=infinite`, { method: 'POST', body: 'media-00000.ts,0,1,1,1\nmedia-00001.ts,1,2,2,2\n' });
  await fetch(`${plex.url}/elsewhere`);
  t.same(plex.counts, { progress: 2, segmentList: 2, other: 1 });
  t.same(plex.listed, ['media-00000.ts', 'media-00001.ts']);
  t.type(plex.firstSegmentListedAt, 'number');
});

t.test('the video encoder of a logged ffmpeg argv', async (t) => {
  t.equal(videoEncoderIn(['-i', 'in.mkv', '-map', '0:0', '-codec:0', 'h264_nvenc', '-codec:1', 'aac', 'out']), 'h264_nvenc');
  t.equal(videoEncoderIn(['-codec:0', 'h264', '-i', 'in.mkv', '-c:v', 'libx264', 'out']), 'libx264', 'the decoder hint before -i is not it');
  t.equal(videoEncoderIn(['-i', 'in.mkv', '-codec:0', 'copy', 'out']), null);
  t.equal(videoEncoderIn(undefined), null);
});

t.test('a worker that cannot confine ffmpeg is retried unconfined; any other failure is not', async (t) => {
  const retry = confinementFallback(new Error('the loopback worker exited 2 before listening: worker.confinement is "auto" but ffmpeg cannot be confined here: bwrap: setting up uid map: Permission denied. Fix: install bubblewrap …'));
  t.match(retry, { worker: { confinement: 'unconfined' }, note: 'kernel confinement cannot work here (bwrap: setting up uid map: Permission denied); the demo worker runs with worker.confinement "unconfined"' });
  t.equal(confinementFallback(new Error('the loopback worker exited 1 before listening: cannot listen on 127.0.0.1:0')), null);
});

t.test('speed reads N.N×', async (t) => {
  t.equal(formatSpeed(3.04), '3.0×');
  t.equal(formatSpeed(12.96), '13.0×');
});
