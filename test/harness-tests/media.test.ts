import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { ensureMediaSet, ensureTestMedia, MEDIA_KEYS, MEDIA_RECIPES, probeMedia, streamFacts, type StreamFacts } from '../harness/index.ts';

const CHILD = fileURLToPath(new URL('./fixtures/ensure-media-set.ts', import.meta.url));
const byType = (streams: StreamFacts[], type: string) => streams.filter((s) => s.type === type);

t.test('every test medium exists and ffprobe finds what its recipe promises', async (t) => {
  const started = Date.now();
  const media = await ensureTestMedia();
  t.comment(`media in ${media.dir}: ${media.fromCache ? 'cached' : 'generated'}, generation took ${media.generationMs} ms (this call ${Date.now() - started} ms)`);
  t.same(Object.keys(media.files).sort(), [...MEDIA_KEYS].sort());
  for (const key of MEDIA_KEYS) {
    const file = media.files[key];
    const probe = await probeMedia(file.path);
    t.same(probe.streams.map(streamFacts), file.streams, `${file.file}: the manifest matches a fresh probe`);
    t.equal(file.path, join(media.dir, file.file));
  }
  t.equal(await ensureTestMedia(), await ensureTestMedia(), 'one generation per process');
});

t.test('the facts tests rely on', async (t) => {
  const { files } = await ensureTestMedia();
  const video = (key: keyof typeof files) => files[key].streams[0] as StreamFacts;
  t.match(video('h264Aac'), { codec: 'h264', pixFmt: 'yuv420p', width: 1280, height: 720, frameRate: 24 });
  t.match(video('h264Fhd'), { codec: 'h264', width: 1920, height: 1080 });
  t.match(video('hevc10Eac3'), { codec: 'hevc', profile: 'Main 10', pixFmt: 'yuv420p10le', colorPrimaries: 'bt2020', colorTransfer: 'smpte2084', colorSpace: 'bt2020nc' });
  t.match(video('hevc8Ac3'), { codec: 'hevc', profile: 'Main', pixFmt: 'yuv420p' });
  t.match(video('av1Eac3'), { codec: 'av1', pixFmt: 'yuv420p10le', colorTransfer: 'smpte2084' });
  t.match(files.h264Aac.streams[1], { index: 1, codec: 'aac', channels: 2, channelLayout: 'stereo' });
  t.match(files.hevc10Eac3.streams[1], { index: 1, codec: 'eac3', channels: 6, channelLayout: /^5\.1/ });
  t.match(files.hevc8Ac3.streams[1], { codec: 'ac3', channels: 6 });
  t.match(files.h264Dts.streams[1], { codec: 'dts', channels: 6 });
  t.same(byType(files.h264Aac.streams, 'subtitle').map((s) => [s.index, s.codec]), [[2, 'ass'], [3, 'subrip']], 'ASS at 0:2, SRT at 0:3');
  t.same(byType(files.hevc10Eac3.streams, 'subtitle').map((s) => [s.index, s.codec]), [[2, 'ass'], [3, 'subrip']]);
  t.same(byType(files.av1Eac3.streams, 'subtitle').map((s) => [s.index, s.codec]), [[2, 'subrip']]);
  t.same(files.audioFlac.streams.map((s) => s.type), ['audio']);
  t.match(files.srt.streams, [{ codec: 'subrip' }]);
  t.match(files.ass.streams, [{ codec: 'ass' }]);
  t.match(files.liveTs, { formatName: 'mpegts' });
  t.match(files.hevc8Ac3, { formatName: /mp4/ });
  for (const key of MEDIA_KEYS) {
    if (files[key].streams[0]?.type === 'subtitle') continue;
    t.ok(files[key].duration > 9.5 && files[key].duration < 10.5, `${key} lasts about 10 s (${files[key].duration})`);
  }
});

t.test('processes racing to make one media set: one generates, the others wait and reuse it', async (t) => {
  const dir = join(t.testdir(), 'media');
  const keys = ['audioFlac', 'srt', 'ass'];
  const children = Array.from({ length: 4 }, () => {
    const child = spawn(process.execPath, [CHILD, dir, ...keys], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    return once(child, 'close').then(([code]) => ({ code, result: JSON.parse(out || '{}') as { fromCache: boolean; hash: string } }));
  });
  const results = await Promise.all(children);
  t.same(results.map((r) => r.code), [0, 0, 0, 0]);
  t.equal(results.filter((r) => !r.result.fromCache).length, 1, 'exactly one generated');
  t.equal(new Set(results.map((r) => r.result.hash)).size, 1);
  t.same((await readdir(dirname(dir))).sort(), ['media'], 'no temporary or lock folder left behind');
  t.same((await readdir(dir)).sort(), ['audio.flac', 'manifest.json', 'subs.ass', 'subs.srt']);
  const again = await ensureMediaSet(MEDIA_RECIPES.filter((r) => keys.includes(r.key)), dir);
  t.equal(again.fromCache, true);
});

t.test('a foreign non-empty folder is never replaced', async (t) => {
  const dir = t.testdir({ 'precious.txt': 'keep me' });
  await t.rejects(ensureMediaSet(MEDIA_RECIPES.filter((r) => r.key === 'srt'), dir), /not empty and holds no manifest\.json/);
  t.same(await readdir(dir), ['precious.txt']);
});

t.test('a missing ffmpeg gives the install hint', async (t) => {
  const path = process.env.PATH;
  process.env.PATH = t.testdir();
  t.teardown(() => void (process.env.PATH = path));
  await t.rejects(ensureMediaSet(MEDIA_RECIPES.filter((r) => r.key === 'audioFlac'), join(t.testdir(), 'm')), /ffmpeg not found on PATH: install Debian's ffmpeg: apt-get install -y ffmpeg/);
});
