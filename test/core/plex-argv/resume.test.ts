/**
 * core/plex-argv/resume.ts on every corpus sample (what a resume knows of the argv, and the argv
 * that resumes it), then real resumes with stock ffmpeg: a Plex-shaped ssegment run stopped after
 * segment 3 and resumed from segment 4, and a DASH run resumed at chunk 5, must give every frame
 * of the source once, in order.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { splitFfmpegArgv } from '../../../core/ffmpeg-grammar/index.ts';
import { parsePlexArgv } from '../../../core/plex-argv/index.ts';
import { resumeArgv, resumeFactsOf, resumeSideFiles, segmentStart, type ResumeFacts } from '../../../core/plex-argv/resume.ts';
import { runTool } from '../../harness/ffmpeg-tools.ts';
import { SAMPLE_IDS, loadSample } from './corpus.ts';

const DASH_CHUNKS = 'chunk-stream$RepresentationID$-$Number%05d$.m4s';
const HLS = { kind: 'hls', pattern: 'media-%05d.ts', folder: '.' } as const;
const DASH = { kind: 'dash', firstNumber: 1, seek: 0, videoCopy: false, pattern: DASH_CHUNKS, folder: '.' } as const;
const manifestOf = (id: string) => new URL(loadSample(id).find((a) => /\/manifest\?/.test(a)) as string).pathname;

/** What each sample's facts must be (null: not segmented, nothing to resume mid-file). */
const EXPECTED: Record<string, Omit<ResumeFacts, 'listPath'> & { list: boolean } | null> = {
  '01': { ...HLS, firstNumber: 0, segmentSeconds: 1, seek: 0, videoCopy: false, list: true },
  '02': { ...HLS, firstNumber: 1816, segmentSeconds: 1, seek: 1816, videoCopy: false, list: true },
  '04': null, // thumbnails (image2)
  '05': null, // Optimize mp4
  '06': { ...HLS, firstNumber: 0, segmentSeconds: 10, seek: 0, videoCopy: true, list: true },
  '07': { ...HLS, firstNumber: 0, segmentSeconds: 1, seek: 0, videoCopy: false, list: true },
  '09': { ...DASH, segmentSeconds: 3, list: true },
  '10': { ...DASH, segmentSeconds: 3, list: true },
  '11': { ...DASH, segmentSeconds: 8, list: true },
  '12': { ...DASH, segmentSeconds: 8, list: true },
  '13': { ...DASH, segmentSeconds: 3, list: true },
  '15': null, // Optimize mp4
  // 2016 stock `-f segment` mpegts, video copied, no segment list at all (Plex read the files).
  '16': { ...HLS, firstNumber: 0, segmentSeconds: 10, seek: 0, videoCopy: true, list: false },
  '17': { ...HLS, firstNumber: 0, segmentSeconds: 10, seek: 0, videoCopy: true, list: false },
  '18': { ...DASH, segmentSeconds: 3, list: true },
  '19': null, // audio detection (flac file)
  '20': { ...HLS, firstNumber: 0, segmentSeconds: 1, seek: 0, videoCopy: false, list: true },
};

t.test('the corpus is the one these expectations were written for', async (t) => {
  t.same([...SAMPLE_IDS].sort(), Object.keys(EXPECTED).sort());
});

for (const id of SAMPLE_IDS) {
  t.test(`${id}: resume facts`, async (t) => {
    const expected = EXPECTED[id];
    const facts = resumeFactsOf(loadSample(id));
    if (expected === undefined || expected === null) {
      t.equal(facts, null);
      t.throws(() => resumeArgv(loadSample(id), { ...HLS, firstNumber: 0, segmentSeconds: 1, seek: 0, videoCopy: false, listPath: null }, { segment: 3, time: 3 }, 1), /not a segmented transcode/);
      t.same(resumeSideFiles(loadSample(id)), []);
      return;
    }
    const { list, ...rest } = expected;
    t.same(facts, { ...rest, listPath: list ? manifestOf(id) : null });
    // Plex's original lists and manifests name no resume side files.
    t.same(resumeSideFiles(loadSample(id)), []);
  });
}

/** Options a resume changes: `-name value` pairs dropped to compare what is left. */
const CHANGED = new Set(['-ss', '-segment_start_number', '-skip_to_segment', '-init_seg_name']);

/** `argv` without the tokens a resume sets (input `-ss`, numbering, cfr, DASH init), the header name unsuffixed. */
function withoutChanges(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (CHANGED.has(token)) { i++; continue; }
    if ((token === '-fps_mode' || token === '-vsync') && argv[i + 1] === 'cfr') { i++; continue; }
    out.push(token.replace(/\.plexbeam-resume\d$/, ''));
  }
  return out;
}

/** The checks every resumed argv must pass. */
function checkResumed(t: Test, original: readonly string[], resumed: readonly string[], facts: ResumeFacts, point: { segment: number; time: number }, attempt: number) {
  const split = splitFfmpegArgv(resumed);
  const inputs = split.files.filter((f) => f.kind === 'input');
  t.equal(inputs.length, splitFfmpegArgv(original).files.filter((f) => f.kind === 'input').length, 'the same inputs');
  for (const input of inputs) {
    const seeks = input.options.filter((o) => o.info.base === 'ss');
    t.equal(seeks.length, 1, `one -ss before ${input.target}`);
    t.equal(Number(seeks[0]?.value), point.time, 'at the point');
    // Before its `-i`: where Plex had one, else right before.
    const had = splitFfmpegArgv(original).files.find((f) => f.kind === 'input' && f.target === input.target)?.options.some((o) => o.info.base === 'ss');
    if (had !== true) t.equal(seeks[0]?.valueIndex, input.targetIndex - 2);
  }
  const out = split.files.find((f) => f.kind === 'output') as (typeof split.files)[number];
  const numbering = out.options.filter((o) => o.info.base === (facts.kind === 'hls' ? 'segment_start_number' : 'skip_to_segment'));
  t.same(numbering.map((o) => o.value), [String(point.segment)], 'one numbering option at the point');
  t.ok(numbering.every((o) => o.index < out.targetIndex), 'before the output target');
  const all = [...split.globals, ...split.files.flatMap((f) => f.options), ...split.trailing];
  t.notOk(all.some((o) => (o.info.base === 'fps_mode' || o.info.base === 'vsync') && o.value === 'cfr'), 'no cfr');
  const tag = `plexbeam-resume${attempt}`;
  if (facts.kind === 'hls') {
    const header = out.options.filter((o) => o.info.base === 'segment_header_filename').map((o) => o.value);
    const had = splitFfmpegArgv(original).files.some((f) => f.options.some((o) => o.info.base === 'segment_header_filename'));
    t.same(header, had ? [`header.${tag}`] : []);
    t.same(resumeSideFiles(resumed), had ? [`header.${tag}`] : []);
  } else {
    const init = out.options.filter((o) => o.info.base === 'init_seg_name').map((o) => o.value);
    t.same(init, [`${tag}-init-stream$RepresentationID$.m4s`]);
    t.same(resumeSideFiles(resumed), init);
  }
  t.same(withoutChanges(resumed), withoutChanges(original), 'nothing else changed');
  const before = parsePlexArgv(original);
  const after = parsePlexArgv(resumed);
  t.match(after, { kind: before.kind, protocol: before.protocol, format: before.format, seekSeconds: point.time });
  t.same(after.warnings, before.warnings);
  t.same(after.unknownOptions, before.unknownOptions);
  t.same(split.missingValue, []);
}

for (const id of SAMPLE_IDS.filter((s) => EXPECTED[s] !== null)) {
  t.test(`${id}: the resumed argv`, async (t) => {
    const argv = loadSample(id);
    const facts = resumeFactsOf(argv) as ResumeFacts;
    const segment = facts.firstNumber + 3;
    const point = { segment, time: segmentStart(facts, segment) };
    t.equal(point.time, facts.seek + 3 * facts.segmentSeconds);
    const resumed = resumeArgv(argv, facts, point, 1);
    checkResumed(t, argv, resumed, facts, point, 1);
    t.same(argv, loadSample(id), 'its input is left alone');
    // Resumed again (a second lost worker) from the resumed argv: still well-formed.
    const again = resumeFactsOf(resumed) as ResumeFacts;
    t.match(again, { kind: facts.kind, firstNumber: segment, seek: point.time, segmentSeconds: facts.segmentSeconds });
    const point2 = { segment: segment + 2, time: segmentStart(again, segment + 2) };
    t.equal(point2.time, point.time + 2 * facts.segmentSeconds);
    const twice = resumeArgv(resumed, again, point2, 2);
    checkResumed(t, argv, twice, facts, point2, 2);
  });
}

t.test('02: the -ss Plex wrote before both inputs is replaced, not added to', async (t) => {
  const argv = loadSample('02');
  const facts = resumeFactsOf(argv) as ResumeFacts;
  const resumed = resumeArgv(argv, facts, { segment: 1820, time: segmentStart(facts, 1820) }, 1);
  t.equal(resumed.length, argv.length, 'same length: nothing added but the header suffix');
  t.same(resumed.flatMap((a, i) => (a === '-ss' ? [resumed[i + 1]] : [])), ['1820', '1820']);
  t.equal(resumed[resumed.indexOf('-segment_start_number') + 1], '1820');
  // Each -ss keeps its place and takes the new time.
  t.same(resumed.map((a, i) => (a === argv[i] ? null : [i, a])).filter((d) => d !== null), [[13, '1820'], [21, '1820'], [83, 'header.plexbeam-resume1'], [87, '1820']]);
});

t.test('01 → 02: a resume writes what Plex writes for its own seek, but for the header name', async (t) => {
  const initial = loadSample('01');
  const seek = loadSample('02');
  const facts = resumeFactsOf(initial) as ResumeFacts;
  const resumed = resumeArgv(initial, facts, { segment: 1816, time: segmentStart(facts, 1816) }, 1);
  // The two captures differ in their session ids; everything else must match token for token.
  const ids = (argv: readonly string[]) => argv.map((a) => a.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'ID'));
  // Plex writes `-ss` first among an input's options, a resume right before `-i`: the same to ffmpeg.
  const noSeek = (argv: readonly string[]) => argv.filter((a, i) => a !== '-ss' && argv[i - 1] !== '-ss');
  t.same(noSeek(ids(resumed).map((a) => a.replace('header.plexbeam-resume1', 'header'))), noSeek(ids(seek)));
  const seeks = (argv: readonly string[]) => splitFfmpegArgv(argv).files.filter((f) => f.kind === 'input').map((f) => f.options.filter((o) => o.info.base === 'ss').map((o) => o.value));
  t.same(seeks(resumed), seeks(seek));
  t.same(seeks(seek), [['1816'], ['1816']]);
});

/** A small Plex-shaped argv (`extra` before the output target). */
const argvOf = (output: string[], target = 'media-%05d.ts', input: string[] = []) => [...input, '-i', 'in.mkv', '-map', '0:0', ...output, target];

t.test('facts and argv of hand-made variants', async (t) => {
  t.test('no numbering option: inserted before the output target', async (t) => {
    const argv = argvOf(['-f', 'ssegment', '-segment_time', '2']);
    const facts = resumeFactsOf(argv) as ResumeFacts;
    t.match(facts, { firstNumber: 0, segmentSeconds: 2, listPath: null, seek: 0 });
    t.same(resumeArgv(argv, facts, { segment: 5, time: 10 }, 1), ['-ss', '10', '-i', 'in.mkv', '-map', '0:0', '-f', 'ssegment', '-segment_time', '2', '-segment_start_number', '5', 'media-%05d.ts']);
    t.same(resumeSideFiles(resumeArgv(argv, facts, { segment: 5, time: 10 }, 1)), []);
  });
  t.test('-start_number (the hls/image2 spelling) is read, then replaced by -segment_start_number', async (t) => {
    const argv = argvOf(['-f', 'segment', '-start_number', '7']);
    const facts = resumeFactsOf(argv) as ResumeFacts;
    t.match(facts, { firstNumber: 7, segmentSeconds: 2 });
    t.same(resumeArgv(argv, facts, { segment: 9, time: 4 }, 1).slice(-5), ['0:0', '-f', 'segment', '-segment_start_number', '9', 'media-%05d.ts'].slice(-5));
    t.notOk(resumeArgv(argv, facts, { segment: 9, time: 4 }, 1).includes('-start_number'));
  });
  t.test('a non-integer number, an unreadable segment time and a bad list URL fall back', async (t) => {
    const hls = resumeFactsOf(argvOf(['-f', 'stream_segment', '-segment_start_number', 'x', '-segment_time', 'soon', '-segment_list', 'http://[bad/list']));
    t.match(hls, { firstNumber: 0, segmentSeconds: 2, listPath: null });
    const dash = resumeFactsOf(argvOf(['-f', 'dash', '-skip_to_segment', '1.5', '-seg_duration', '0'], 'dash'));
    t.match(dash, { kind: 'dash', firstNumber: 1, segmentSeconds: 5, pattern: 'chunk-stream$RepresentationID$-$Number%05d$.$ext$' });
  });
  t.test('a segment list written to a file has no list path', async (t) => {
    t.match(resumeFactsOf(argvOf(['-f', 'ssegment', '-segment_list', 'list.csv'])), { listPath: null });
    t.match(resumeFactsOf(argvOf(['-f', 'ssegment', '-segment_list', 'HTTP://127.0.0.1:32400/m?x=1'])), { listPath: '/m' });
  });
  t.test('an output in a folder; a seek written as a clock time; video copy spelled -vcodec / -c:v:0', async (t) => {
    const facts = resumeFactsOf(argvOf(['-vcodec', 'copy', '-f', 'ssegment'], 'sess/seg-%03d.ts', ['-ss', '00:01:02.5']));
    t.match(facts, { folder: 'sess', pattern: 'seg-%03d.ts', seek: 62.5, videoCopy: true });
    t.match(resumeFactsOf(argvOf(['-c:v:0', 'copy', '-f', 'ssegment'])), { videoCopy: true });
    t.match(resumeFactsOf(argvOf(['-c:a', 'copy', '-f', 'ssegment'])), { videoCopy: false });
    t.equal(segmentStart(facts as ResumeFacts, 3), 62.5 + 3 * 2);
    // A segment before the first never starts before the seek.
    t.equal(segmentStart({ ...(facts as ResumeFacts), firstNumber: 10 }, 4), 62.5);
  });
  t.test('-vsync 1 and -fps_mode:v cfr go; -fps_mode passthrough stays', async (t) => {
    const argv = ['-vsync', '1', ...argvOf(['-fps_mode:v', 'cfr', '-f', 'ssegment'])];
    const resumed = resumeArgv(argv, resumeFactsOf(argv) as ResumeFacts, { segment: 1, time: 2 }, 1);
    t.same(resumed, ['-ss', '2', '-i', 'in.mkv', '-map', '0:0', '-f', 'ssegment', '-segment_start_number', '1', 'media-%05d.ts']);
    const kept = argvOf(['-fps_mode', 'passthrough', '-f', 'ssegment']);
    t.ok(resumeArgv(kept, resumeFactsOf(kept) as ResumeFacts, { segment: 1, time: 2 }, 1).includes('passthrough'));
  });
  t.test('DASH without -init_seg_name gets the stock name under its own prefix', async (t) => {
    const argv = argvOf(['-f', 'dash'], 'out.mpd');
    const resumed = resumeArgv(argv, resumeFactsOf(argv) as ResumeFacts, { segment: 4, time: 15 }, 2);
    t.same(resumed, ['-ss', '15', '-i', 'in.mkv', '-map', '0:0', '-f', 'dash', '-skip_to_segment', '4', '-init_seg_name', 'plexbeam-resume2-init-stream$RepresentationID$.$ext$', 'out.mpd']);
    t.same(resumeSideFiles(resumed), ['plexbeam-resume2-init-stream$RepresentationID$.$ext$']);
  });
  t.test('a DASH init name in a folder keeps its folder; times have no float noise', async (t) => {
    const argv = argvOf(['-f', 'dash', '-init_seg_name', 'init/init-$RepresentationID$.m4s'], 'out.mpd');
    const resumed = resumeArgv(argv, resumeFactsOf(argv) as ResumeFacts, { segment: 4, time: 0.1 + 0.2 }, 1);
    t.equal(resumed[resumed.indexOf('-init_seg_name') + 1], 'init/plexbeam-resume1-init-$RepresentationID$.m4s');
    t.equal(resumed[resumed.indexOf('-ss') + 1], '0.3');
  });
  t.test('a second resume renames the side file again instead of stacking names', async (t) => {
    const hls = argvOf(['-f', 'ssegment', '-segment_header_filename', 'header']);
    const once = resumeArgv(hls, resumeFactsOf(hls) as ResumeFacts, { segment: 2, time: 4 }, 1);
    const twice = resumeArgv(once, resumeFactsOf(once) as ResumeFacts, { segment: 3, time: 6 }, 2);
    t.equal(twice[twice.indexOf('-segment_header_filename') + 1], 'header.plexbeam-resume2');
    const dash = argvOf(['-f', 'dash', '-init_seg_name', 'init-$RepresentationID$.m4s'], 'out.mpd');
    const d1 = resumeArgv(dash, resumeFactsOf(dash) as ResumeFacts, { segment: 2, time: 4 }, 1);
    const d2 = resumeArgv(d1, resumeFactsOf(d1) as ResumeFacts, { segment: 3, time: 6 }, 2);
    t.equal(d2[d2.indexOf('-init_seg_name') + 1], 'plexbeam-resume2-init-$RepresentationID$.m4s');
  });
  t.test('an argv with no input still gets its numbering (nothing to seek)', async (t) => {
    const argv = ['-f', 'ssegment', '-segment_start_number', '0', 'media-%05d.ts'];
    const facts = resumeFactsOf(argv) as ResumeFacts;
    t.equal(facts.seek, 0);
    t.same(resumeArgv(argv, facts, { segment: 3, time: 6 }, 1), ['-f', 'ssegment', '-segment_start_number', '3', 'media-%05d.ts']);
  });
});

// ---------------------------------------------------------------------------------------------
// A real resume with stock ffmpeg.

/** Frames of a file as framemd5 gives them: [pts (stream time base units), md5 of the decoded picture]. */
async function videoFrames(file: string): Promise<Array<{ pts: number; md5: string }>> {
  const { stdout } = await runTool('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:v:0', '-f', 'framemd5', '-']);
  return stdout.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => {
    const cells = l.split(',').map((c) => c.trim());
    return { pts: Number(cells[2]), md5: cells[5] as string };
  });
}

/** Runs ffmpeg with `argv` in `cwd`; with `stopAfter`, SIGKILLs it once its CSV lists that segment. */
function runFfmpeg(argv: readonly string[], cwd: string, stopAfter?: { list: string; segment: string }): Promise<number | string> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-nostdin', ...argv], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = stopAfter === undefined ? undefined : setInterval(() => {
      const path = join(cwd, stopAfter.list);
      if (existsSync(path) && readFileSync(path, 'utf8').includes(stopAfter.segment)) child.kill('SIGKILL');
    }, 20);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(timer);
      if (code === 0 || signal === 'SIGKILL') resolve(code ?? (signal as string));
      else reject(new Error(`ffmpeg ${argv.join(' ')} exited ${code}:\n${stderr.slice(-2000)}`));
    });
  });
}

/**
 * The first run's argv: Plex's HLS shape (01/07/20: ssegment, matroska segments, header file,
 * 1 s segments with a forced keyframe every second, -copyts -start_at_zero -fps_mode cfr) with
 * what only Plex's fork knows left out and the list a local CSV, as the worker runs it.
 */
const plexShaped = (input: string) => [
  '-i', input, '-start_at_zero', '-copyts', '-fps_mode', 'cfr', '-y', '-nostats', '-loglevel', 'error',
  '-map', '0:0', '-codec:0', 'libx264', '-preset:0', 'ultrafast', '-qp:0', '0', '-r:0', '24', '-force_key_frames:0', 'expr:gte(t,n_forced*1)',
  '-map', '0:1', '-codec:1', 'aac', '-b:1', '96k',
  '-segment_format', 'matroska', '-f', 'ssegment', '-individual_header_trailer', '0', '-flags', '+global_header',
  '-segment_header_filename', 'header', '-segment_time', '1', '-segment_start_number', '0', '-segment_time_delta', '0.0625',
  '-segment_list', 'segments.csv', '-segment_list_type', 'csv', '-segment_format_options', 'output_ts_offset=10',
  '-max_delay', '5000000', '-avoid_negative_ts', 'disabled', '-map_metadata', '-1', '-map_chapters', '-1', 'media-%05d.ts',
];

/** The audio packets' pts (seconds) of a file. */
async function audioPackets(file: string): Promise<number[]> {
  const { stdout } = await runTool('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file]);
  return stdout.split('\n').filter((l) => l.trim() !== '').map(Number);
}

/** Steps between audio packets longer than 1.5 AAC frames (1024 samples at 48 kHz). */
const audioGaps = (pts: readonly number[]) => pts.slice(1).flatMap((p, i) => (p - (pts[i] as number) > 1.5 * 1024 / 48000 ? [[pts[i], p]] : []));

/** Plays header + segments (Plex serves them so) into one file; returns its frames. */
async function playedFrames(dir: string): Promise<Array<{ pts: number; md5: string }>> {
  const segments = readdirSync(dir).filter((n) => /^media-\d{5}\.ts$/.test(n)).sort();
  const joined = join(dir, 'played.mkv');
  writeFileSync(joined, Buffer.concat([readFileSync(join(dir, 'header')), ...segments.map((n) => readFileSync(join(dir, n)))]));
  return videoFrames(joined);
}

/**
 * The source (testsrc2, 24 fps, 10 s, a keyframe every second, lossless so that every decoded
 * frame can be told apart by its md5): `audio` flac starts with the video; AAC's priming
 * (1024 samples) makes the video start 21 ms after the file does, as in most real files.
 */
async function makeSource(dir: string, name: string, audio: 'flac' | 'aac'): Promise<string> {
  await runTool('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=24:duration=10', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=10',
    '-c:v', 'libx264', '-preset', 'superfast', '-qp', '0', '-pix_fmt', 'yuv420p', '-g', '24', '-keyint_min', '24', '-sc_threshold', '0',
    '-c:a', audio, ...(audio === 'aac' ? ['-b:a', '96k'] : []), name], { cwd: dir });
  return join(dir, name);
}

/** Runs A (whole) and B (stopped after segment 3, resumed from 4) on `source`; returns what a viewer gets of each. */
async function resumeOnce(dir: string, source: string) {
  const { mkdirSync } = await import('node:fs');
  const a = join(dir, 'A');
  const b = join(dir, 'B');
  mkdirSync(a);
  mkdirSync(b);
  const argv = plexShaped(source);
  await runFfmpeg(argv, a);
  // B: the same run at the input's own rate (-re), killed once segment 3 is listed (segment 4 is being written).
  await runFfmpeg(['-re', ...argv], b, { list: 'segments.csv', segment: 'media-00003.ts' });
  const facts = resumeFactsOf(argv) as ResumeFacts;
  const point = { segment: 4, time: segmentStart(facts, 4) };
  const resumed = resumeArgv(argv, facts, point, 1).map((a) => (a === 'segments.csv' ? 'resume.csv' : a));
  await runFfmpeg(resumed, b);
  return {
    point, resumed, a: await playedFrames(a), b: await playedFrames(b), source: await videoFrames(source),
    namesA: readdirSync(a).filter((n) => n.startsWith('media-')).sort(), namesB: readdirSync(b).filter((n) => n.startsWith('media-')).sort(),
    bList: readFileSync(join(b, 'resume.csv'), 'utf8'), headerB: existsSync(join(b, 'header.plexbeam-resume1')),
    audioA: await audioPackets(join(a, 'played.mkv')), audioB: await audioPackets(join(b, 'played.mkv')),
  };
}

/** Which source frame each played frame is (-1: not a source frame), and the pts steps that are not one frame. */
function analyse(played: Array<{ pts: number; md5: string }>, source: Array<{ pts: number; md5: string }>) {
  const index = new Map(source.map((f, i) => [f.md5, i]));
  const order = played.map((f) => index.get(f.md5) ?? -1);
  const jumps = played.slice(1).flatMap((f, i) => (f.pts - (played[i] as { pts: number }).pts === 1 ? [] : [[(played[i] as { pts: number }).pts, f.pts]]));
  const missing = source.map((_, i) => i).filter((i) => !order.includes(i));
  const repeated = [...new Set(order.filter((i, k) => order.indexOf(i) !== k))];
  return { order, jumps, missing, repeated };
}

t.test('stock ffmpeg: a run stopped after segment 3 and resumed at segment 4 plays every frame once', async (t) => {
  const dir = t.testdir({});
  const source = await makeSource(dir, 'aligned.mkv', 'flac');
  const run = await resumeOnce(dir, source);
  t.equal(run.point.time, 4);
  t.ok(run.headerB, "the resumed run wrote its header beside Plex's, not over it");
  t.same(run.namesB, run.namesA, 'the same segment files');
  t.match(run.bList, /^media-00004\.ts,/, 'the resumed list starts at segment 4');
  t.equal(run.b.length, run.a.length, 'as many frames as the uninterrupted run');
  const a = analyse(run.a, run.source);
  const b = analyse(run.b, run.source);
  t.same({ missing: a.missing, repeated: a.repeated, jumps: a.jumps }, { missing: [], repeated: [], jumps: [] }, 'the uninterrupted run is exact');
  t.same(b.order, a.order, 'every frame of the source once, in order, as in the uninterrupted run');
  t.same(b.jumps, [], 'pts step one frame at a time through the resume point');
  t.same(audioGaps(run.audioA), [], 'the uninterrupted audio has no gap');
  // Known, reported (the assertions run; a failure shows as TODO): segment 4 of the first run
  // starts its audio at 3.989 s (the packet after the cut keyframe), the resumed run at 4.011 s.
  const audioTodo = { todo: 'stock ffmpeg: one AAC frame (21 ms) missing at the resume point' };
  t.equal(run.audioB.length, run.audioA.length, 'as many audio packets', audioTodo);
  t.same(audioGaps(run.audioB), [], 'no audio gap', audioTodo);
});

t.test('stock ffmpeg, video starting 21 ms after the file (AAC priming): the resume point', async (t) => {
  // Known, reported (the assertions run; a failure shows as TODO): -fps_mode cfr in the first run
  // put the source frame of 3.979 s at 4.000 s (segment 4); -ss 4 in the resumed run starts at
  // 4.021 s, so that frame is lost and pts jump two frames. No -ss value fixes it: from 3.979 s
  // the resumed run (VSCFR) repeats the next frame instead.
  const todo = { todo: 'stock ffmpeg: the frame -fps_mode cfr moved into segment 4 is lost on resume' };
  const dir = t.testdir({});
  const source = await makeSource(dir, 'primed.mkv', 'aac');
  const run = await resumeOnce(dir, source);
  const a = analyse(run.a, run.source);
  const b = analyse(run.b, run.source);
  t.same({ missing: a.missing, jumps: a.jumps }, { missing: [], jumps: [] }, 'the uninterrupted run has every source frame');
  t.equal(run.b.length, run.a.length, 'as many frames as the uninterrupted run', todo);
  t.same(b.missing, [], 'no source frame lost at the resume point', todo);
  t.same(b.jumps, [], 'no pts jump at the resume point', todo);
  t.same(run.namesB, run.namesA, 'the same segment files', todo);
});

/** The first run's DASH argv: Plex's browser shape (09/12/18) with its Plex-only options left out but -skip_to_segment, which the worker drops. */
const plexDash = (input: string) => [
  '-i', input, '-start_at_zero', '-copyts', '-fps_mode', 'cfr', '-y', '-nostats', '-loglevel', 'error',
  '-map', '0:0', '-codec:0', 'libx264', '-preset:0', 'ultrafast', '-qp:0', '0', '-r:0', '24', '-force_key_frames:0', 'expr:gte(t,n_forced*1)',
  '-map', '0:1', '-codec:1', 'aac', '-b:1', '96k',
  '-f', 'dash', '-seg_duration', '1', '-dash_segment_type', 'mp4', '-init_seg_name', 'init-stream$RepresentationID$.m4s',
  '-media_seg_name', 'chunk-stream$RepresentationID$-$Number%05d$.m4s', '-window_size', '5', '-skip_to_segment', '1',
  '-avoid_negative_ts', 'disabled', '-map_metadata', '-1', '-map_chapters', '-1', 'out.mpd',
];

/** What runs on a stock worker: `-skip_to_segment` is Plex's (stock numbers chunks from 1; the worker renumbers). */
const stockDash = (argv: readonly string[]) => argv.filter((a, i) => a !== '-skip_to_segment' && argv[i - 1] !== '-skip_to_segment');

t.test('stock ffmpeg DASH: a run resumed at chunk 5 plays every frame once, its chunks on the real timeline', async (t) => {
  const { mkdirSync } = await import('node:fs');
  const { shiftFragmentTimes } = await import('../../../worker/translate/post/mp4-boxes.ts');
  const dir = t.testdir({});
  const source = await makeSource(dir, 'aligned.mkv', 'flac');
  const a = join(dir, 'A');
  const b = join(dir, 'B');
  mkdirSync(a);
  mkdirSync(b);
  const argv = plexDash(source);
  await runFfmpeg(stockDash(argv), a);
  const facts = resumeFactsOf(argv) as ResumeFacts;
  t.match(facts, { kind: 'dash', firstNumber: 1, segmentSeconds: 1 });
  const point = { segment: 5, time: segmentStart(facts, 5) };
  t.equal(point.time, 4);
  const resumed = resumeArgv(argv, facts, point, 1);
  t.equal(resumed[resumed.indexOf('-skip_to_segment') + 1], '5');
  await runFfmpeg(stockDash(resumed), b);
  t.ok(existsSync(join(b, 'plexbeam-resume1-init-stream0.m4s')), "the resumed init is written under a name of its own");
  t.notOk(existsSync(join(b, 'init-stream0.m4s')), "Plex's init is not rewritten");
  const chunks = (d: string) => readdirSync(d).filter((n) => /^chunk-stream0-\d{5}\.m4s$/.test(n)).sort();
  const timescale = Number(/<Representation id="0"[\s\S]*?timescale="(\d+)"/.exec(readFileSync(join(b, 'out.mpd'), 'utf8'))?.[1]);
  t.ok(timescale > 0);
  // The worker's publisher puts stock's chunks, which start at 0 after a seek, where Plex's would be.
  const resumedChunks = chunks(b).map((n) => {
    const data = readFileSync(join(b, n));
    shiftFragmentTimes(data, point.time * timescale);
    return data;
  });
  t.equal(chunks(a).length, 4 + resumedChunks.length, 'as many chunks in all as the uninterrupted run');
  const played = (name: string, parts: Buffer[]) => {
    writeFileSync(join(dir, name), Buffer.concat([readFileSync(join(a, 'init-stream0.m4s')), ...parts]));
    return videoFrames(join(dir, name));
  };
  const whole = await played('a.mp4', chunks(a).map((n) => readFileSync(join(a, n))));
  const joined = await played('b.mp4', [...chunks(a).slice(0, 4).map((n) => readFileSync(join(a, n))), ...resumedChunks]);
  const src = await videoFrames(source);
  const wa = analyse(whole, src);
  const wb = analyse(joined, src);
  t.same({ missing: wa.missing, repeated: wa.repeated, jumps: wa.jumps }, { missing: [], repeated: [], jumps: [] }, 'the uninterrupted run is exact');
  t.equal(joined.length, whole.length, 'as many frames as the uninterrupted run');
  t.same(wb.order, wa.order, 'every frame of the source once, in order');
  t.same(wb.jumps, [], 'pts one frame apart through the resume point');
});
