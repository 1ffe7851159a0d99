import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import t from 'tap';
import {
  adaptCorpusArgv, corpusDir, ensureTestMedia, ffmpegArgvIo, loadCorpus, MEDIA_ROUTE, probeMedia, rehomeUrls, startFakePms, SRT_TEXT,
} from '../harness/index.ts';

const PMS = 'http://127.0.0.1:45999';
const URL_RE = /\bhttps?:\/\/(\[[^\]]*\]|[^/:\s'"?]+)(?::(\d+))?/g;

t.test('loadCorpus reads every sample of the corpus (test/fixtures/corpus)', async (t) => {
  const corpus = loadCorpus();
  t.ok(corpus.length >= 10, `${corpus.length} samples in ${corpusDir()}`);
  t.equal(new Set(corpus.map((s) => s.id)).size, corpus.length, 'ids are unique');
  for (const sample of corpus) {
    t.match(sample.id, /^\d\d$/);
    t.ok(sample.argv.length > 5 && sample.argv.every((a) => typeof a === 'string'), `${sample.id}: argv`);
    t.ok(sample.description.length > 10, `${sample.id}: description`);
  }
  t.throws(() => loadCorpus(join(t.testdir(), 'nope')), /Plex argv corpus not found/);
});

t.test('adaptCorpusArgv: only loopback URLs, every input exists, outputs in the session dir', async (t) => {
  const media = await ensureTestMedia();
  for (const { id, argv } of loadCorpus()) {
    const sessionDir = join(t.testdir(), id);
    const adapted = adaptCorpusArgv(argv, { media, sessionDir, pmsUrl: PMS });
    t.equal(adapted.length, argv.length, `${id}: same length`);
    t.notOk(adapted.some((a) => a.includes('32400')), `${id}: no Plex port left`);
    const hosts = adapted.flatMap((a) => [...a.matchAll(URL_RE)].map((m) => m[0]));
    t.ok(hosts.every((origin) => origin === PMS), `${id}: every URL goes to the fake PMS (${[...new Set(hosts)].join(' ')})`);
    const { inputs, outputs } = ffmpegArgvIo(adapted);
    t.ok(inputs.length > 0, `${id}: has inputs`);
    for (const input of inputs) {
      const file = input.value.startsWith(PMS) ? join(media.dir, input.value.slice(PMS.length + MEDIA_ROUTE.length)) : input.value;
      t.ok(isAbsolute(file) && existsSync(file), `${id}: input ${input.value} exists`);
    }
    const original = ffmpegArgvIo(argv).outputs;
    outputs.forEach((out, i) => {
      const before = original[i]?.value ?? '';
      if (isAbsolute(before)) t.equal(out.value, join(sessionDir, before), `${id}: absolute output moved under the session dir`);
      else t.equal(out.value, before, `${id}: relative output ${before} kept`);
    });
    const touched = new Set([...inputs, ...outputs].map((x) => x.index));
    const seekish = new Set(['-ss', '-segment_start_number', '-skip_to_segment']);
    argv.forEach((arg, i) => {
      if (seekish.has(argv[i - 1] ?? '')) return;
      if (!touched.has(i) && !URL_RE.test(arg) && !arg.includes('/Transcode/Sessions/')) t.equal(adapted[i], arg, `${id}: argument ${i} unchanged`);
      URL_RE.lastIndex = 0;
    });
    adapted.forEach((arg, i) => {
      if (arg === '-ss') t.ok(Number(adapted[i + 1]) <= 4, `${id}: seek ${adapted[i + 1]} fits the media`);
    });
  }
});

t.test('adaptCorpusArgv picks media of similar codecs and stages sidecars', async (t) => {
  const media = await ensureTestMedia();
  const corpus = new Map(loadCorpus().map((s) => [s.id, s.argv]));
  const inputsOf = (id: string) => {
    const sessionDir = join(t.testdir(), `s${id}`);
    return { sessionDir, inputs: ffmpegArgvIo(adaptCorpusArgv(corpus.get(id) ?? [], { media, sessionDir, pmsUrl: PMS })).inputs.map((i) => i.value) };
  };
  const expect: Record<string, string> = {
    '01': media.files.av1Eac3.path, '04': media.files.av1Eac3.path, '06': media.files.hevc10Eac3.path, '09': media.files.hevc10Eac3.path,
    '11': media.files.h264Fhd.path, '12': media.files.h264Fhd.path, '16': media.files.h264Dts.path, '19': media.files.av1Eac3.path,
    '17': `${PMS}${MEDIA_ROUTE}${media.files.liveTs.file}`,
  };
  for (const [id, path] of Object.entries(expect)) if (corpus.has(id)) t.equal(inputsOf(id).inputs[0], path, `${id} → ${path}`);
  if (corpus.has('01')) {
    const { sessionDir, inputs } = inputsOf('01');
    t.equal(inputs[1], join(sessionDir, 'temp-0.srt'), 'the sidecar SRT is staged in the session dir');
    t.equal(readFileSync(join(sessionDir, 'temp-0.srt'), 'utf8'), SRT_TEXT);
  }
  if (corpus.has('05')) {
    const sessionDir = join(t.testdir(), 's05');
    const out = adaptCorpusArgv(corpus.get('05') ?? [], { media, sessionDir, pmsUrl: PMS }).at(-1) ?? '';
    t.match(out, `${sessionDir}/media/`);
    t.ok(existsSync(join(out, '..')), 'the output folder (Plex Versions/…/.inProgress) exists');
  }
});

t.test('rehomeUrls rewrites Plex and non-loopback origins only', async (t) => {
  t.equal(rehomeUrls('http://127.0.0.1:32400/video/:/x?y=1', PMS), `${PMS}/video/:/x?y=1`);
  t.equal(rehomeUrls('http://localhost:32400/a', PMS), `${PMS}/a`);
  t.equal(rehomeUrls('http://10.0.1.99:32400/p', PMS), `${PMS}/p`);
  t.equal(rehomeUrls('https://plex.example.com/p', PMS), `${PMS}/p`);
  t.equal(rehomeUrls('http://127.0.0.1:8765/keep', PMS), 'http://127.0.0.1:8765/keep', 'another loopback service is left alone');
  t.equal(rehomeUrls('[0:1] aresample=osr=48000[5]', PMS), '[0:1] aresample=osr=48000[5]');
});

t.test("a live HTTP input (sample 17's shape) is served by the fake PMS", async (t) => {
  const media = await ensureTestMedia();
  const pms = await startFakePms({ mediaDir: media.dir });
  t.teardown(() => pms.close());
  const argv = ['-noaccurate_seek', '-i', 'http://speedy.example.com:8000/live/a/b/3493.ts', '-map', '0:v:0', 'media-%05d.ts'];
  const adapted = adaptCorpusArgv(argv, { media, sessionDir: t.testdir(), pmsUrl: pms.url });
  const probe = await probeMedia(adapted[2] ?? '');
  t.same(probe.streams.map((s) => s.codec_name), ['h264', 'aac']);
  t.ok(pms.requests.every((r) => r.path === `${MEDIA_ROUTE}${media.files.liveTs.file}`));
});

t.test('seeks into a film are moved into the short test media, with their segment numbers', async (t) => {
  const media = await ensureTestMedia();
  const sessionDir = t.testdir();
  const hls = ['-ss', '1816', '-i', '/m/a.mkv', '-ss', '1816', '-i', '/s/temp-0.srt', '-segment_time', '1', '-segment_start_number', '1816', 'media-%05d.ts'];
  t.same(adaptCorpusArgv(hls, { media, sessionDir, pmsUrl: PMS }).filter((_, i) => [1, 5, 11].includes(i)), ['4', '4', '4']);
  const dash = ['-ss', '300', '-i', '/m/a.mkv', '-seg_duration', '3', '-skip_to_segment', '101', 'dash'];
  t.same(adaptCorpusArgv(dash, { media, sessionDir, pmsUrl: PMS, seekTo: 6 }).filter((_, i) => [1, 7].includes(i)), ['6', '3']);
  const small = ['-ss', '2', '-i', '/m/a.mkv', '-segment_time', '1', '-segment_start_number', '2', 'out.ts'];
  t.same(adaptCorpusArgv(small, { media, sessionDir, pmsUrl: PMS }).filter((_, i) => [1, 7].includes(i)), ['2', '2'], 'a seek inside the media stays');
});
