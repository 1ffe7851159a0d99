/**
 * cartridge/resume/listed.ts: the last segment Plex was told of, read from the bodies the worker
 * really sends: CSV lists from worker/translate/post/csv-list.ts (rows of a real stock ffmpeg
 * segment run) and DASH manifests of real dashenc output renumbered by dash-manifest.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { resumeFactsOf, type ResumeFacts } from '../../core/plex-argv/resume.ts';
import { lastListed, lastNamed } from '../../cartridge/resume/listed.ts';
import { formatPlexCsv, parseCsvList, type SegmentRow } from '../../worker/translate/post/csv-list.ts';
import { renumberManifest } from '../../worker/translate/post/dash-manifest.ts';
import { runTool } from '../harness/ffmpeg-tools.ts';
import { loadSample } from '../core/plex-argv/corpus.ts';

const SOURCE = ['-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=24:duration=6', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=6',
  '-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-preset', 'ultrafast', '-force_key_frames', 'expr:gte(t,n_forced*1)', '-c:a', 'aac'];

const hls = resumeFactsOf(loadSample('01')) as ResumeFacts;
const dash = resumeFactsOf(loadSample('09')) as ResumeFacts;

/** The rows of a real stock ssegment run (1 s segments, 6 s): what the worker's publisher reads. */
async function stockRows(dir: string): Promise<SegmentRow[]> {
  await runTool('ffmpeg', ['-v', 'error', ...SOURCE, '-f', 'ssegment', '-segment_time', '1', '-segment_list', 'list.csv', '-segment_list_type', 'csv', 'media-%05d.ts'], { cwd: dir });
  return parseCsvList(readFileSync(join(dir, 'list.csv'), 'utf8'));
}

t.test('CSV lists as the worker formats them', async (t) => {
  const rows = await stockRows(t.testdir({}));
  t.equal(rows.length, 6);
  t.equal(rows.at(-1)?.name, 'media-00005.ts');
  for (const separate of [false, true]) {
    const body = formatPlexCsv(rows, separate);
    t.same(lastListed(hls, body), { segment: 5, end: rows.at(-1)?.end }, `separate stream times: ${separate}`);
    // A list of the latest rows (-segment_list_size 5), as Plex receives it mid-play.
    t.same(lastListed(hls, formatPlexCsv(rows.slice(0, 3), separate)), { segment: 2, end: rows[2]?.end });
  }
});

t.test('CSV: the largest number wins whatever the row order; other names, # rows and junk are not segments', async (t) => {
  const rows: SegmentRow[] = [
    { name: 'media-00007.ts', start: 7, end: 8 },
    { name: 'media-00009.ts', start: 9, end: 10.5 },
    { name: 'media-00008.ts', start: 8, end: 9 },
    { name: 'header', start: 0, end: 0 },
    { name: 'other-00042.ts', start: 42, end: 43 },
  ];
  const body = `${formatPlexCsv(rows, true)}#media-00011.ts,11.000000,12.000000\nnot a row\n\n`;
  t.same(lastListed(hls, body), { segment: 9, end: 10.5 });
  t.same(lastListed(hls, ''), null);
  t.same(lastListed(hls, '#media-00003.ts,3,4\nheader,0,0\n'), null);
  // CRLF line ends and a folder before the name.
  t.same(lastListed(hls, 'sess/media-00003.ts,3.000000,4.000000\r\nsess/media-00004.ts,4.000000,5.000000\r\n'), { segment: 4, end: 5 });
});

t.test('CSV: quoted names (a comma or quote in the pattern) are read as the formatter wrote them', async (t) => {
  const facts: ResumeFacts = { ...hls, pattern: 'clip, "part"-%03d.ts' };
  const rows = [0, 1, 2].map((n) => ({ name: `clip, "part"-${String(n).padStart(3, '0')}.ts`, start: n, end: n + 1 }));
  const body = formatPlexCsv(rows, false);
  t.match(body, /^"clip, ""part""-000\.ts",0\.000000,1\.000000\n/);
  t.same(lastListed(facts, body), { segment: 2, end: 3 });
  t.same(lastListed(facts, formatPlexCsv(rows, true)), { segment: 2, end: 3 });
});

t.test('CSV: patterns with %d and DASH-style $Number$ numbers; regex characters in a name are literal', async (t) => {
  t.same(lastListed({ ...hls, pattern: 'seg%d.ts' }, 'seg9.ts,9,10\nseg10.ts,10,11\n'), { segment: 10, end: 11 });
  t.same(lastListed({ ...hls, pattern: 'a+b(1)-%03d.ts' }, 'a+b(1)-004.ts,4,5\naab(1)-005.ts,5,6\n'), { segment: 4, end: 5 });
  t.same(lastListed({ ...hls, pattern: 'chunk-$RepresentationID$-$Number%05d$.$ext$' }, 'chunk-0-00006.m4s,6,7\n'), { segment: 6, end: 7 });
  t.same(lastListed({ ...hls, pattern: 'out/media-%05d-%02d.ts' }, 'media-00003-07.ts,3,4\n'), { segment: 3, end: 4 }, 'the first number is the segment');
});

/** A real dashenc output in `dir` (Plex's names, 1 s segments, window of 5); its MPD text. */
async function stockMpd(dir: string, extra: string[] = []): Promise<string> {
  await runTool('ffmpeg', ['-v', 'error', ...SOURCE, '-f', 'dash', '-seg_duration', '1', '-dash_segment_type', 'mp4',
    '-init_seg_name', 'init-stream$RepresentationID$.m4s', '-media_seg_name', 'chunk-stream$RepresentationID$-$Number%05d$.m4s', ...extra, 'out.mpd'], { cwd: dir });
  return readFileSync(join(dir, 'out.mpd'), 'utf8');
}

/** Each representation's last chunk number, counted here from the MPD's own timelines. */
function lastChunks(mpd: string): number[] {
  return [...mpd.matchAll(/<SegmentTemplate\b([^>]*)>([\s\S]*?)<\/SegmentTemplate>/g)].map((m) => {
    const start = Number(/startNumber="(\d+)"/.exec(m[1] ?? '')?.[1]);
    const count = [...(m[2] ?? '').matchAll(/<S\b([^>]*)>/g)].reduce((n, s) => n + 1 + Number(/\br="(\d+)"/.exec(s[1] ?? '')?.[1] ?? 0), 0);
    return start + count - 1;
  });
}

t.test('DASH: real dashenc manifests, renumbered from -skip_to_segment as the worker does', async (t) => {
  const mpd = await stockMpd(t.testdir({}), ['-window_size', '5']);
  // What dashenc wrote: each representation lists its last 5 chunks; r= repeats say how many.
  t.match(mpd, /<S [^>]*\br="\d+"/, 'repeats in the timeline');
  t.match(mpd, /startNumber="[2-9]"/, 'the window has moved on');
  const lasts = lastChunks(mpd);
  t.equal(lasts.length, 2, 'video and audio representations');
  t.same(lastListed(dash, mpd), { segment: Math.min(...lasts), end: null });
  t.same(lastListed(dash, renumberManifest(mpd, 0)), { segment: Math.min(...lasts), end: null });
  // Plex's argv skips to segment 10: the worker adds 9 to every startNumber.
  t.same(lastListed(dash, renumberManifest(mpd, 9)), { segment: Math.min(...lasts) + 9, end: null });
});

t.test('DASH: with representations listing different counts, the smallest last chunk', async (t) => {
  const mpd = await stockMpd(t.testdir({}));
  const lasts = lastChunks(mpd) as [number, number];
  // dashenc ends the audio with a short chunk of its own (ffmpeg 5.1: one more than the video).
  t.not(lasts[1], lasts[0], 'the representations list different counts');
  t.same(lastListed(dash, mpd), { segment: Math.min(...lasts), end: null });
  // The video ahead of the audio instead (its startNumber moved on by 5): the audio's is the last.
  let first = true;
  const videoAhead = mpd.replace(/startNumber="(\d+)"/g, (all, n: string) => (first ? ((first = false), `startNumber="${Number(n) + 5}"`) : all));
  t.same(lastListed(dash, videoAhead), { segment: Math.min(lasts[0] + 5, lasts[1]), end: null });
  t.same(lastListed(dash, renumberManifest(videoAhead, 99)), { segment: Math.min(lasts[0] + 5, lasts[1]) + 99, end: null });
});

t.test('DASH: hand-made layouts', async (t) => {
  const template = (attrs: string, timeline: string) => `<SegmentTemplate timescale="1000" ${attrs}>${timeline === '' ? '' : `<SegmentTimeline>${timeline}</SegmentTimeline>`}</SegmentTemplate>`;
  t.same(lastListed(dash, template('startNumber="4"', '<S t="0" d="1000" r="2"/><S d="500"/>')), { segment: 7, end: null });
  t.same(lastListed(dash, template('', '<S t="0" d="1000"/>')), { segment: 1, end: null }, 'no startNumber: 1');
  t.same(lastListed(dash, template('startNumber="4"', '<S t="0" d="1000" r="-1"/>')), { segment: 4, end: null }, 'r=-1 (to the end) counts as one');
  t.same(lastListed(dash, `<SegmentTemplate timescale="1000" duration="1000" startNumber="3"/>${template('startNumber="2"', '<S d="1"/><S d="1"/>')}`), { segment: 3, end: null },
    'a template without a timeline says nothing');
  t.same(lastListed(dash, template('startNumber="3"', '')), null);
  t.same(lastListed(dash, '<MPD></MPD>'), null);
  t.same(lastListed(dash, ''), null);
  t.same(lastListed(dash, template('startNumber="12"', '<S t="0" d="1000" r="1"/>') + template('startNumber="10"', '<S t="0" d="1000" r="9"/>')), { segment: 13, end: null });
});

t.test('no list reaches Plex (sample 16: old -f segment, Plex reads the folder): the highest finished segment there', async (t) => {
  const facts = resumeFactsOf(loadSample('16')) as ResumeFacts;
  t.equal(facts.listPath, null);
  t.same(lastNamed(facts, ['header', 'media-00000.ts', 'media-00002.ts', 'media-00001.ts', '.plexbeam-stage-x', 'media-x.ts']), { segment: 2, end: null });
  t.equal(lastNamed(facts, ['header', 'other.ts']), null, 'none yet');
});
