import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { ensureTestMedia, patternToRegExp, probeSegments } from '../harness/index.ts';

const run = promisify(execFile);

t.test('patternToRegExp understands globs, printf numbers and DASH templates', async (t) => {
  const cases: [string, string[], string[]][] = [
    ['media-%05d.ts', ['media-00000.ts', 'media-01816.ts', 'media-123456.ts'], ['media-1.ts', 'media-00000.ts.tmp', 'header']],
    ['media-*.ts', ['media-00001.ts', 'media-.ts'], ['xmedia-1.ts']],
    ['chunk-stream$RepresentationID$-$Number%05d$.m4s', ['chunk-stream0-00001.m4s', 'chunk-stream1-00012.m4s'], ['init-stream0.m4s', 'chunk-stream0-1.m4s']],
    ['thumb-%d.jpeg', ['thumb-1.jpeg'], ['thumb-a.jpeg']],
    ['a.b?', ['a.bc'], ['aXbc']],
  ];
  for (const [pattern, yes, no] of cases) {
    const re = patternToRegExp(pattern);
    for (const name of yes) t.ok(re.test(name), `${pattern} matches ${name}`);
    for (const name of no) t.notOk(re.test(name), `${pattern} does not match ${name}`);
  }
});

t.test("Plex-style HLS segments (matroska, shared header) are probed with their header", async (t) => {
  const { files } = await ensureTestMedia();
  const dir = t.testdir();
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', files.h264Aac.path, '-map', '0:0', '-map', '0:1', '-c', 'copy',
    '-f', 'ssegment', '-segment_format', 'matroska', '-individual_header_trailer', '0', '-flags', '+global_header',
    '-segment_header_filename', 'header', '-segment_time', '2', 'media-%05d.ts'], { cwd: dir });
  const segments = await probeSegments(dir, 'media-%05d.ts', { header: 'header' });
  t.equal(segments.length, 5, 'five 2 s segments of a 10 s file');
  t.same(segments.map((s) => s.name), ['media-00000.ts', 'media-00001.ts', 'media-00002.ts', 'media-00003.ts', 'media-00004.ts']);
  for (const s of segments) {
    t.ok(s.ok, `${s.name} readable (${s.error ?? ''})`);
    t.same(s.streams.map((x) => x.codec), ['h264', 'aac']);
    t.ok(Math.abs((s.duration ?? 0) - 2) < 0.1, `${s.name} lasts about 2 s (${s.duration})`);
  }
  t.ok(segments.every((s, i) => i === 0 || (s.startTime ?? 0) > (segments[i - 1]?.startTime ?? 0)), 'start times increase');
  const bare = await probeSegments(dir, 'media-*.ts');
  t.ok(bare.every((s) => !s.ok && s.error), 'without the header ffprobe cannot read them');
});

t.test('DASH chunks are probed with their init segment', async (t) => {
  const { files } = await ensureTestMedia();
  const dir = t.testdir();
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', files.h264Aac.path, '-map', '0:0', '-map', '0:1', '-c', 'copy',
    '-f', 'dash', '-seg_duration', '2', '-init_seg_name', 'init-stream$RepresentationID$.m4s',
    '-media_seg_name', 'chunk-stream$RepresentationID$-$Number%05d$.m4s', 'dash'], { cwd: dir });
  const chunks = await probeSegments(dir, 'chunk-stream$RepresentationID$-$Number%05d$.m4s', {
    header: (name) => name.replace(/^chunk-stream(\d+)-\d+\.m4s$/, 'init-stream$1.m4s'),
  });
  t.ok(chunks.length >= 8, `${chunks.length} chunks (video and audio)`);
  t.ok(chunks.every((c) => c.ok), 'all readable');
  t.same([...new Set(chunks.map((c) => c.streams[0]?.codec))].sort(), ['aac', 'h264']);
});
