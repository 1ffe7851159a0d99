// The segment list Plex gets stays bounded: with Plex's `-segment_list_size 5` each delivery lists
// the last five segments, as Plex's own transcoder does, so what goes through the link grows with
// the number of segments, not with its square (a 2-hour film at 1 s segments: ~7,200 deliveries).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { runFfmpeg } from '../../worker/ffmpeg.ts';
import { applyPostProcess } from '../../worker/translate/post/index.ts';
import { fetchRequest } from '../../worker/translate/post/http-request.ts';
import { translate } from '../../worker/translate/index.ts';
import { startFakePms, type RecordedRequest } from '../harness/index.ts';

const pms = await startFakePms();
t.teardown(() => pms.close());
const dir = t.testdir({ media: {}, m20: {}, m40: {}, all: {} });
// One keyframe per frame at 10 fps: every 0.1 s segment closes on its own frame.
const IN = join(dir, 'media', 'in.mkv');
const made = spawnSync('ffmpeg', ['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=64x64:r=10:d=4', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '1', IN]);
if (made.status !== 0) throw new Error(`ffmpeg could not make test media: ${made.stderr}`);

/** Runs Plex's segmenter shape for `segments` segments through the translation and its publisher; returns the list deliveries. */
async function publish(name: string, segments: number, listSize: string): Promise<RecordedRequest[]> {
  const session = join(dir, name);
  const path = `/video/:/transcode/session/list/${name}/manifest`;
  // -re: ffmpeg runs in real time, so the publisher sees segments one by one, as in a real play.
  const argv = ['-re', '-i', IN, '-t', String(segments / 10), '-map', '0:v', '-c:v', 'copy', '-f', 'segment', '-segment_time', '0.1',
    '-segment_list', `${pms.url}${path}?X-Plex-Http-Pipeline=infinite`, '-segment_list_type', 'csv', '-segment_list_size', listSize, 'media-%05d.ts'];
  const translation = translate(argv, { backend: 'software', encoders: [] });
  const controller = new AbortController();
  const publishers = translation.postProcess.map((desc) => applyPostProcess(desc, { cwd: session, signal: controller.signal, request: fetchRequest, intervalMs: 20 }));
  let stderr = '';
  const exit = await runFfmpeg({
    path: 'ffmpeg', argv: translation.argv, cwd: session, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, signal: controller.signal, forceKillAfterMs: 1000,
    onSpawn: () => undefined, onStderr: (text) => void (stderr += text), onProgressData: () => undefined, onProgress: () => undefined,
  });
  t.equal(exit.code, 0, exit.code === 0 ? 'ffmpeg ran' : stderr.slice(-500));
  for (const p of publishers) await p.finish();
  return pms.requests.filter((r) => r.path === path);
}

const names = (r: RecordedRequest) => r.bodyText.trim().split('\n').map((line) => line.split(',')[0]);
const bytes = (posts: RecordedRequest[]) => posts.reduce((sum, r) => sum + r.body.length, 0);

t.test('-segment_list_size 5: each delivery lists the last five segments; the bytes sent grow linearly', async (t) => {
  const short = await publish('m20', 20, '5');
  const long = await publish('m40', 40, '5');
  for (const [posts, m] of [[short, 20], [long, 40]] as const) {
    t.same([...new Set(posts.flatMap(names))], Array.from({ length: m }, (_, i) => `media-${String(i).padStart(5, '0')}.ts`), `all ${m} segments were listed, in order`);
    t.ok(posts.every((r) => names(r).length <= 5), `no delivery lists more than five (${posts.map((r) => names(r).length).join(' ')})`);
    t.same(names(posts.at(-1)!), names(posts.at(-1)!).slice(-5), 'the last one lists the last segments');
  }
  const ratio = bytes(long) / bytes(short);
  // Linear: twice the segments, about twice the bytes. The whole list each time would be about 4×.
  t.ok(ratio < 2.6, `40 segments sent ${bytes(long)} bytes, 20 sent ${bytes(short)}: ${ratio.toFixed(2)}×`);
});

t.test('-segment_list_size 0 (stock ffmpeg\'s default, all of them) keeps every segment in each delivery', async (t) => {
  const posts = await publish('all', 12, '0');
  t.same(names(posts.at(-1)!), Array.from({ length: 12 }, (_, i) => `media-${String(i).padStart(5, '0')}.ts`));
});
