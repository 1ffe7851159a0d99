import { createHash } from 'node:crypto';
import t from 'tap';
import { argvPattern, parsePlexArgv, patternIdOf } from '../../../core/plex-argv/index.ts';
import { loadSample } from './corpus.ts';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** Sample 01 with another session: new uuids, another title, a seek of `seek` seconds. */
function sessionOf01(seek: number, uuidSeed: string, title: string): string[] {
  const fresh = new Map<string, string>();
  const uuidFor = (old: string) => {
    if (!fresh.has(old)) {
      const hex = createHash('sha1').update(`${uuidSeed}${old}`).digest('hex');
      fresh.set(old, `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`);
    }
    return fresh.get(old) as string;
  };
  const argv = loadSample('01').map((token) =>
    token.replace(UUID, uuidFor).replace(/^\/media\/Movies\/.*\.mkv$/, `/media/Movies/${title}/${title}.mkv`),
  );
  argv.splice(argv.indexOf('-i'), 0, '-ss', String(seek));
  argv[argv.indexOf('-segment_start_number') + 1] = String(seek);
  return argv;
}

t.test('the pattern id is the first 12 hex characters of the pattern sha1', async (t) => {
  const r = parsePlexArgv(loadSample('01'));
  t.equal(r.pattern, argvPattern(loadSample('01')));
  t.equal(r.patternId, createHash('sha1').update(r.pattern).digest('hex').slice(0, 12));
  t.equal(patternIdOf(r.pattern), r.patternId);
});

t.test('seek offsets, session uuids and paths do not change the pattern', async (t) => {
  const a = parsePlexArgv(sessionOf01(120, 'a', 'Heat (1995)'));
  const b = parsePlexArgv(sessionOf01(4321, 'b', 'Alien (1979)'));
  t.equal(a.seekSeconds, 120);
  t.equal(b.seekSeconds, 4321);
  t.not(a.callbackUrls[0]?.url, b.callbackUrls[0]?.url);
  t.equal(a.pattern, b.pattern);
  t.equal(a.patternId, b.patternId);
  t.match(a.pattern, /-probesize <n> -ss <time> -i <media>/);
  t.match(a.pattern, /-progressurl <callback:progress>/);
  t.match(a.pattern, /-segment_list <callback:manifest>/);
  t.match(a.pattern, /-eae_prefix:1 <id>/);
  t.match(a.pattern, /-i <srt>/);
  t.match(a.pattern, /scale_vaapi=<2160p>:format=p010/);
  t.match(a.pattern, /-maxrate:0 <bitrate>/);
  t.match(a.pattern, /-metadata:s:0 language=<v>/);
  t.match(a.pattern, / media-%05d\.ts /);
});

t.test('a different target codec, resolution or container gives a different pattern', async (t) => {
  const base = loadSample('20');
  const id = (argv: string[]) => parsePlexArgv(argv).patternId;
  const swap = (from: string, to: string) => base.map((token) => (token === from ? to : token));
  t.not(id(swap('hevc_vaapi', 'h264_vaapi')), id(base));
  t.not(id(swap('[0:0]hwupload[0];[0]scale_vaapi=w=3840:h=2160:format=p010[1];[1]hwupload[2]', '[0:0]hwupload[0];[0]scale_vaapi=w=1920:h=1080:format=p010[1];[1]hwupload[2]')), id(base));
  t.not(id(swap('matroska', 'mpegts')), id(base));
  // Same quality box, other aspect ratio: one group.
  t.equal(
    id(swap('[0:0]hwupload[0];[0]scale_vaapi=w=3840:h=2160:format=p010[1];[1]hwupload[2]', '[0:0]hwupload[0];[0]scale_vaapi=w=3840:h=1606:format=p010[1];[1]hwupload[2]')),
    id(base),
  );
});

t.test('pattern rules for values', async (t) => {
  const p = argvPattern([
    '-ss', '00:01:02.5', '-i', 'http://127.0.0.1:32400/livetv/sessions/abc/index.m3u8', '-i', '/x/y/film.mp4', '-i', 'C:\\subs\\a.ass',
    '-s', '1280x720', '-b:v', '2M', '-ac', '2', '-crf', '20', '-threads', '4', '-t', '30',
    '-vf', 'subtitles=/tmp/a b.srt:si=0,scale=1920:-2', '-f', 'mp4', '/out/Plex Versions/x/.inProgress/y.mp4.12',
    '-progressurl', 'http://10.0.0.5:32400/video/:/transcode/session/x/progress', '-manifest_name', 'http://localhost/other',
  ]);
  t.equal(
    p,
    '-ss <time> -i <callback> -i <media> -i <ass> -s <720p> -b:v <bitrate> -ac 2 -crf <n> -threads 4 -t <time> ' +
      '-vf subtitles=<srt>:si=0,scale=<1080p> -f mp4 <media> -progressurl <url> -manifest_name <callback>',
  );
});
