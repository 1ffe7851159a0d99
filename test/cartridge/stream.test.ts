// Stream mode end to end: the installed shim and a real worker whose roots hold none of the Plex
// machine's paths (nothing can be shared), `workers[].storage: "stream"`: the media reaches the
// worker's ffmpeg over the cartridge's reads (Range), the segments and `header` come back and are
// renamed into place before the segment list that names them reaches Plex.
import { spawnSync } from 'node:child_process';
import { copyFileSync, createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { adaptCorpusArgv, ensureTestMedia, loadCorpus, startFakePms } from '../harness/index.ts';
import { checkCsvList, checkHeaderPlusSegments, checkSegments } from '../translate/helpers/checks.ts';
import { API_KEY, BIN, TOKEN, installShim, plexEnv, readSessions, runShim, writeConfig } from './helpers.ts';
import { startRealWorker } from './workers.ts';
import { runRemote } from '../../cartridge/remote.ts';
import type { LinkMessage } from '../../cartridge/link-client.ts';
import { planStream } from '../../cartridge/stream/plan.ts';
import { createStreamSide } from '../../cartridge/stream/side.ts';

const samples = new Map(loadCorpus().map((s) => [s.id, s.argv]));
const media = await ensureTestMedia();
const dir = realpathSync(t.testdir({ clips: {}, tx: {}, 'worker-media': {}, 'worker-tx': {} }));
const plex = await installShim(dir);
const pms = await startFakePms({ mediaDir: media.dir });
t.teardown(() => pms.close());
// The worker's roots are its own empty folders: no Plex path is under them.
const worker = await startRealWorker(dir, { mediaRoots: [join(dir, 'worker-media')], transcodeRoots: [join(dir, 'worker-tx')] });
t.teardown(() => worker.stop());
const config = writeConfig(dir, { workers: [{ url: worker.url, apiKey: API_KEY, name: 'pc', storage: 'stream' }], fallbackToLocal: false });

/** A 2-second copy of a test medium. */
function clip(key: 'av1Eac3' | 'h264Aac'): string {
  const out = join(dir, 'clips', `${key}.mkv`);
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', media.files[key].path, '-t', '2', '-map', '0', '-c', 'copy', out]);
  if (r.status !== 0) throw new Error(String(r.stderr));
  return out;
}

t.test('20 (HLS ssegment, header, copied sidecar SRT) streamed: inputs read through the cartridge, segments renamed into place before the list', async (t) => {
  const session = join(dir, 'tx', '20');
  mkdirSync(session, { recursive: true });
  const adapted = adaptCorpusArgv(samples.get('20') as string[], { media, sessionDir: session, pmsUrl: pms.url });
  const source = clip('av1Eac3');
  const argv = adapted.map((a, i) => (adapted[i - 1] === '-i' && a.startsWith(media.dir) ? source : a));
  const first = pms.requests.length;
  const run = await runShim(plex, argv, { env: plexEnv({ PLEXBEAM_CONFIG: config }), cwd: session });
  t.equal(run.code, 0, run.stderr.slice(-3000));
  const requests = pms.requests.slice(first);
  const row = (await readSessions(dir)).find((r) => r.cwd === session);
  t.match(row, { decision: 'remote', worker: 'pc', exitCode: 0 });
  const started = await worker.waitForLog((l) => l.msg === 'job started' && (l.argv as string[]).some((a) => a.includes('/in/')));
  const inputs = (started.argv as string[]).filter((a, i, all) => all[i - 1] === '-i');
  t.match(inputs[0], /^http:\/\/127\.0\.0\.1:\d+\/in\/[^/]+\/[^/]+\/\d+$/, `the media is read through the worker's own stream URL: ${inputs[0]}`);
  t.match(inputs[1], /\/stream\/[^/]+\/.*\/temp-0\.srt$/, `the sidecar SRT came whole, into the job's mirror folder: ${inputs[1]}`);
  t.notOk((started.argv as string[]).some((a) => a.startsWith(session) || a.startsWith(dir + '/clips')), 'no Plex path reaches ffmpeg');
  const segs = checkSegments(t, session, Number(argv[argv.indexOf('-segment_start_number') + 1] ?? 0));
  t.ok(segs.length >= 2, `segments in the session folder on the Plex machine: ${segs.join(' ')}`);
  const codecs = await checkHeaderPlusSegments(t, session, segs, ['video', 'audio', 'subtitle']);
  t.equal(codecs[0], 'hevc', `header + each segment read by ffprobe: ${codecs.join(' ')}`);
  checkCsvList(t, requests, segs, 0, true);
  t.ok(requests.some((r) => r.path.endsWith('/progress')), "Plex's progress reports arrived");
  t.ok(requests.length > 0 && requests.every((r) => r.headers['x-plex-token'] === TOKEN), 'every callback with X-Plex-Token');
  const leftovers = (readdirSync(session, { recursive: true }) as string[]).filter((f) => /\.part$/.test(f) && statSync(join(session, f)).isFile());
  t.same(leftovers, [], 'no temp file left');
});

t.test('auto (the default): the worker cannot see the Plex paths, so the job streams; the session log and analyze --detail say so and why', async (t) => {
  const auto = writeConfig(dir, { workers: [{ url: worker.url, apiKey: API_KEY, name: 'pc' }], fallbackToLocal: false });
  const session = join(dir, 'tx', 'auto');
  mkdirSync(session, { recursive: true });
  const source = clip('h264Aac');
  const argv = ['-i', source, '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '24', '-c:a', 'aac', '-f', 'segment', '-segment_time', '1',
    '-segment_list', `${pms.url}/video/:/transcode/session/a/b/manifest?X-Plex-Http-Pipeline=infinite`, '-segment_list_type', 'csv', 'media-%05d.ts'];
  const first = pms.requests.length;
  const run = await runShim(plex, argv, { env: plexEnv({ PLEXBEAM_CONFIG: auto }), cwd: session });
  t.equal(run.code, 0, run.stderr.slice(-3000));
  const row = (await readSessions(dir)).find((r) => r.cwd === session);
  t.match(row, { decision: 'remote', storage: 'stream', storageReason: /^auto: .* is outside the worker's roots after its pathMap$/ });
  const listed = pms.requests.slice(first).filter((r) => r.path.endsWith('/manifest')).flatMap((r) => r.bodyText.match(/media-\d+\.ts/g) ?? []);
  const segs = readdirSync(session).filter((f) => /^media-\d+\.ts$/.test(f)).sort();
  t.ok(segs.length >= 2, `segments: ${segs.join(' ')}`);
  t.same([...new Set(listed)].sort(), segs, 'every listed segment is on the Plex machine');
  const cache = JSON.parse(readFileSync(join(dir, 'data', 'storage-cache.json'), 'utf8')) as Record<string, { ok: boolean }>;
  t.ok(Object.keys(cache).some((k) => k.startsWith(`${worker.url} read ${join(dir, 'clips')}`)), "the worker's answer is kept per worker and folder");
  const detail = spawnSync(BIN, ['analyze', '--db', join(dir, 'data', 'sessions.db'), '--detail', String(row?.id)], { encoding: 'utf8' });
  t.equal(detail.status, 0, detail.stderr);
  t.match(detail.stdout, /storage\s+stream/);
  t.match(detail.stdout, /storage_reason\s+auto: .* is outside the worker's roots/);
});

/** Runs corpus sample `id` streamed, in its own session folder; returns what the Plex machine got. */
async function runStreamed(id: string, input: 'av1Eac3' | 'h264Aac' | 'hevc10Eac3', seekTo?: number) {
  const session = join(dir, 'tx', `s${id}`);
  const adapted = adaptCorpusArgv(samples.get(id) as string[], { media, sessionDir: session, pmsUrl: pms.url, ...(seekTo === undefined ? {} : { seekTo }) });
  const source = clip(input as 'av1Eac3');
  const argv = adapted.map((a, i) => (adapted[i - 1] === '-i' && a.startsWith(media.dir) ? source : a));
  const first = pms.requests.length;
  const run = await runShim(plex, argv, { env: plexEnv({ PLEXBEAM_CONFIG: config }), cwd: session });
  const files = (readdirSync(session, { recursive: true }) as string[]).filter((f) => statSync(join(session, f)).isFile()).sort();
  const row = (await readSessions(dir)).find((r) => r.cwd === session);
  return { run, session, files, requests: pms.requests.slice(first), row };
}

t.test('09 DASH streamed: init and chunks on the Plex machine before the manifest that names them', async (t) => {
  const { run, files, requests, row, session } = await runStreamed('09', 'hevc10Eac3');
  t.equal(run.code, 0, run.stderr.slice(-3000));
  t.match(row, { decision: 'remote', storage: 'stream', exitCode: 0, protocol: 'dash' });
  t.ok(files.some((f) => /^init-stream\d\.m4s$/.test(f)) && files.some((f) => /^chunk-stream\d-\d{5}\.m4s$/.test(f)), `DASH init and chunks in the session folder: ${files.join(' ')}`);
  const manifests = requests.filter((r) => r.path.endsWith('/manifest') && r.bodyText.includes('<MPD'));
  t.ok(manifests.length > 0, 'the manifest reached Plex');
  t.notOk(files.some((f) => f.endsWith('.part')), 'no temp file left');
  const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type', '-of', 'csv=p=0', '-i', `concat:${join(session, files.find((f) => /^init-stream0/.test(f)) as string)}|${join(session, files.find((f) => /^chunk-stream0-/.test(f)) as string)}`], { encoding: 'utf8' });
  t.equal(probe.status, 0, `ffprobe reads init + first chunk: ${probe.stderr}`);
});

t.test('05 Optimize streamed: one whole mp4 in Plex Versions on the Plex machine', async (t) => {
  const { run, files, row } = await runStreamed('05', 'av1Eac3');
  t.equal(run.code, 0, run.stderr.slice(-3000));
  t.match(row, { decision: 'remote', storage: 'stream', exitCode: 0, kind: 'optimize' });
  const mp4 = files.find((f) => /Plex Versions\/.*\.mp4\.\d+$/.test(f));
  t.ok(mp4, `the optimized file: ${files.join(' ')}`);
  const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type', '-of', 'csv=p=0', '-f', 'mp4', join(dir, 'tx', 's05', mp4 as string)], { encoding: 'utf8' });
  t.equal(probe.status, 0, probe.stderr);
  t.match(probe.stdout, /video[\s\S]*audio/, 'ffprobe reads its video and audio');
});

t.test('02 streamed: a seek 1 s into the clip (ffmpeg seeks over Range reads) with the sidecar burned in', async (t) => {
  const { run, row, session, requests } = await runStreamed('02', 'av1Eac3', 1);
  t.equal(run.code, 0, run.stderr.slice(-3000));
  t.match(row, { decision: 'remote', storage: 'stream', exitCode: 0, subtitleBurnIn: true });
  const segs = checkSegments(t, session, 1);
  t.ok(segs.length >= 1, `segments from the seek on: ${segs.join(' ')}`);
  const codecs = await checkHeaderPlusSegments(t, session, segs, ['video', 'audio']);
  t.same(codecs, ['hevc', 'aac']);
  t.ok(requests.some((r) => r.path.endsWith('/manifest')), 'the segment list reached Plex');
});

const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf';
t.test('a subtitles= burn-in streamed: the sidecar SRT in the transcode folder and the fontsdir\'s font reach the worker\'s ffmpeg through the cartridge', { skip: existsSync(FONT) ? false : `no ${FONT} (fonts-dejavu-core) to put in the fonts folder` }, async (t) => {
  const session = join(dir, 'tx', 'burn');
  mkdirSync(join(session, 'fonts'), { recursive: true });
  writeFileSync(join(session, 'sub.srt'), '1\n00:00:00,000 --> 00:00:05,000\nStreamed subtitle\n\n');
  copyFileSync(FONT, join(session, 'fonts', 'mono.ttf'));
  const source = clip('h264Aac');
  const argv = ['-i', source, '-vf', `subtitles=filename=${join(session, 'sub.srt')}:fontsdir=fonts:force_style=FontName=DejaVu Sans Mono`, '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '24', '-an',
    '-f', 'segment', '-segment_time', '1', '-segment_list', `${pms.url}/video/:/transcode/session/f/g/manifest?X-Plex-Http-Pipeline=infinite`, '-segment_list_type', 'csv', 'media-%05d.ts'];
  const run = await runShim(plex, argv, { env: plexEnv({ PLEXBEAM_CONFIG: config }), cwd: session });
  t.equal(run.code, 0, run.stderr.slice(-3000));
  const row = (await readSessions(dir)).find((r) => r.cwd === session);
  t.match(row, { decision: 'remote', storage: 'stream', exitCode: 0 });
  const started = await worker.waitForLog((l) => l.msg === 'job started' && (l.argv as string[]).some((a) => a.includes('sub.srt')));
  const graph = (started.argv as string[]).find((a) => a.includes('sub.srt')) as string;
  t.match(graph, /filename=[^:]*\/stream\/[^:]*\/tx\/burn\/sub\.srt/, `the SRT is read from the job's mirror folder: ${graph}`);
  t.notOk(graph.includes(`=${session}`), 'no Plex path in the filter graph that ran');
  const segs = readdirSync(session).filter((f) => /^media-\d+\.ts$/.test(f));
  t.ok(segs.length >= 2, `segments burned in and shipped back: ${segs.join(' ')}`);
  t.same(readdirSync(join(session, 'fonts')), ['mono.ttf'], 'the fonts folder on the Plex machine is untouched');
});

/** A stand-in for Plex's own media URLs on its loopback: serves `file` with Range support (206, Content-Range) and records each range asked. */
async function rangeServer(t: Test, file: string) {
  const ranges: string[] = [];
  const size = statSync(file).size;
  const server = createServer((req, res) => {
    const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
    ranges.push(String(req.headers.range ?? 'none'));
    if (range === null) return void res.writeHead(200, { 'content-length': size }).end(readFileSync(file));
    const start = Number(range[1]);
    const end = Math.min(range[2] ? Number(range[2]) : size - 1, size - 1);
    if (start >= size) return void res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
    res.writeHead(206, { 'content-length': end + 1 - start, 'content-range': `bytes ${start}-${end}/${size}`, 'accept-ranges': 'bytes' });
    createReadStream(file, { start, end }).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, ranges };
}

t.test('a loopback input (Plex\'s own http://127.0.0.1:32400/... media URL): the cartridge reads it from Plex by ranges and the worker\'s ffmpeg seeks in it', async (t) => {
  const source = clip('h264Aac');
  const plexMedia = await rangeServer(t, source);
  const auto = writeConfig(dir, { workers: [{ url: worker.url, apiKey: API_KEY, name: 'pc' }], fallbackToLocal: false });
  const session = join(dir, 'tx', 'loopback');
  mkdirSync(session, { recursive: true });
  const input = `${plexMedia.url}/library/parts/7/1700000000/file.mkv?X-Plex-Token=${TOKEN}`;
  const argv = ['-ss', '1', '-i', input, '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '12', '-c:a', 'aac', '-f', 'segment', '-segment_time', '0.5',
    '-segment_list', `${pms.url}/video/:/transcode/session/l/m/manifest?X-Plex-Http-Pipeline=infinite`, '-segment_list_type', 'csv', 'media-%05d.ts'];
  const run = await runShim(plex, argv, { env: plexEnv({ PLEXBEAM_CONFIG: auto }), cwd: session });
  t.equal(run.code, 0, run.stderr.slice(-3000));
  const row = (await readSessions(dir)).find((r) => r.cwd === session);
  t.match(row, { decision: 'remote', storage: 'stream', storageReason: /^auto: the input http:\/\/127\.0\.0\.1:\d+\/library\/parts\/7\/1700000000\/file\.mkv\?… is on the Plex machine's loopback/ });
  t.notOk(String(row?.storageReason).includes(TOKEN), 'the token stays out of the session log reason');
  t.ok(plexMedia.ranges.length >= 2 && plexMedia.ranges.every((r) => /^bytes=\d+-\d+$/.test(r)), `Plex was asked for ranges only: ${plexMedia.ranges.slice(0, 6).join(' ')}`);
  t.ok(plexMedia.ranges.includes('bytes=0-0'), 'its size asked once with a one-byte range');
  const segs = readdirSync(session).filter((f) => /^media-\d+\.ts$/.test(f)).sort();
  t.ok(segs.length >= 2, `segments from 1 s on, on the Plex machine: ${segs.join(' ')}`);
  const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type', '-of', 'csv=p=0', join(session, segs[0] as string)], { encoding: 'utf8' });
  t.match(probe.stdout, /video[\s\S]*audio/, 'ffprobe reads the first segment\'s video and audio');
});

t.test('the worker dying mid-job: the cartridge exits as a failed transcode, no partial file is visible, no ffmpeg is left', async (t) => {
  const doomed = await startRealWorker(dir, { mediaRoots: [join(dir, 'worker-media')], transcodeRoots: [join(dir, 'worker-tx')] });
  t.teardown(() => doomed.stop('SIGKILL'));
  const cfg = writeConfig(dir, { workers: [{ url: doomed.url, apiKey: API_KEY, name: 'doomed', storage: 'stream' }], fallbackToLocal: false });
  const session = join(dir, 'tx', 'doomed');
  mkdirSync(session, { recursive: true });
  // Read at the native rate: the job lasts the medium's 10 s.
  const argv = ['-re', '-i', media.files.h264Aac.path, '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '24', '-c:a', 'aac', '-f', 'segment', '-segment_time', '1',
    '-segment_list', `${pms.url}/video/:/transcode/session/d/e/manifest?X-Plex-Http-Pipeline=infinite`, '-segment_list_type', 'csv', 'media-%05d.ts'];
  const running = runShim(plex, argv, { env: plexEnv({ PLEXBEAM_CONFIG: cfg }), cwd: session });
  const started = await doomed.waitForLog((l) => l.msg === 'job started');
  for (let i = 0; i < 600 && !readdirSync(session).some((f) => /^media-\d+\.ts$/.test(f)); i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
  await doomed.stop('SIGKILL');
  const run = await running;
  t.equal(run.code, 1, 'exit 1, as a transcode whose worker was lost');
  t.match(run.stderr, /plexbeam: lost the worker doomed mid-transcode/);
  const names = readdirSync(session);
  t.ok(names.some((f) => /^media-\d+\.ts$/.test(f)), `the segments shipped before stay: ${names.join(' ')}`);
  t.same(names.filter((f) => !/^media-\d+\.ts$/.test(f)), [], 'no temp or partial file under any other name');
  const jobId = String(started.job_id);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const left = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(jobId);
    } catch {
      return false;
    }
  });
  t.same(left, [], "no process of the job (ffmpeg reading its stream URL) is left");
});

/** Runs `argv` on `url`'s worker through stream mode by the cartridge's own code (a remux: the shim would route it to Plex's transcoder); resolves with the outcome and the link's message types. */
async function streamedRun(url: string, argv: string[], cwd: string, onFollow?: () => void) {
  const plan = await planStream(argv, cwd);
  const res = await fetch(new URL('/transcode', url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': API_KEY }, body: JSON.stringify({ session_id: `remux-${Date.now()}`, argv, env: {}, cwd, storage: { mode: 'stream', inputs: plan.inputs } }) });
  const { job_id: jobId } = (await res.json()) as { job_id: string };
  const target = { url, apiKey: API_KEY, name: 'pc', health: {} as never, free: 1 };
  const side = createStreamSide({ worker: target, jobId, plan, warn: () => undefined });
  const seen: string[] = [];
  const stream = { ...side, read: side.read, fetch: side.fetch, close: side.close, follow: (message: LinkMessage) => {
    seen.push(message.type);
    side.follow(message);
    onFollow?.();
  } };
  const outcome = await runRemote({ worker: target, jobId, dispatchAt: Date.now() }, {
    origins: new Set(), token: undefined, signals: { first: null, listen: () => () => undefined, release: () => undefined },
    onFirstOutput: () => undefined, commitment: { committed: false, cancelRemote: null }, stream,
  });
  await side.close();
  return { outcome, seen };
}

t.test('a remux streamed: the growing mkv is followed while ffmpeg writes it, and lands byte for byte as ffmpeg writes it locally (its patched header included)', async (t) => {
  const session = join(dir, 'tx', 'remux');
  mkdirSync(session, { recursive: true });
  // -readrate 5: the 10 s medium takes 2 s, so the output grows while it is followed.
  const args = (out: string) => ['-i', media.files.h264Fhd.path, '-map', '0', '-c', 'copy', '-fflags', '+bitexact', '-f', 'matroska', out];
  const { outcome, seen } = await streamedRun(worker.url, ['-readrate', '5', ...args(join(session, 'out.mkv'))], session);
  t.equal(outcome.fate.code, 0, outcome.error ?? '');
  t.same(seen, ['follow'], 'the worker offered the growing output once');
  const local = spawnSync('ffmpeg', ['-v', 'error', '-y', ...args(join(dir, 'tx', 'remux-local.mkv'))]);
  t.equal(local.status, 0, String(local.stderr));
  t.ok(readFileSync(join(session, 'out.mkv')).equals(readFileSync(join(dir, 'tx', 'remux-local.mkv'))), 'the same bytes as a local remux');
  t.same(readdirSync(session), ['out.mkv'], 'no temp file left');
});

t.test('the worker dying while its output is followed: no file under the output\'s name, no temp file', async (t) => {
  const doomed = await startRealWorker(dir, { mediaRoots: [join(dir, 'worker-media')], transcodeRoots: [join(dir, 'worker-tx')] });
  t.teardown(() => doomed.stop('SIGKILL'));
  const session = join(dir, 'tx', 'remux-doomed');
  mkdirSync(session, { recursive: true });
  const argv = ['-readrate', '1', '-i', media.files.h264Fhd.path, '-map', '0', '-c', 'copy', '-f', 'matroska', join(session, 'out.mkv')];
  let kill: Promise<void> | undefined;
  const { outcome } = await streamedRun(doomed.url, argv, session, () => {
    // Once a part of it is on the Plex machine.
    kill ??= (async () => {
      for (let i = 0; i < 400 && !readdirSync(session).some((f) => f.endsWith('.part')); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
      await doomed.stop('SIGKILL');
    })();
  });
  await kill;
  t.equal(outcome.ending, 'lost', outcome.error ?? '');
  t.same(readdirSync(session), [], 'nothing in the session folder');
});

t.test("a streamed file is probed over its input URL once per version, as on shared storage: a second play of it takes the worker's cached facts, a rewritten file is probed again", async (t) => {
  const source = join(dir, 'clips', 'probed-once.mkv');
  copyFileSync(clip('h264Aac'), source);
  let plays = 0;
  const play = async () => {
    plays += 1;
    const session = join(dir, 'tx', `probe-${plays}`);
    mkdirSync(session, { recursive: true });
    const argv = ['-i', source, '-map', '0:v:0', '-map', '0:a:0', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-f', 'segment', '-segment_time', '1',
      '-segment_list', `${pms.url}/video/:/transcode/session/p${plays}/b/manifest`, '-segment_list_type', 'csv', '-progressurl', `${pms.url}/video/:/transcode/session/p${plays}/b/progress`, 'media-%05d.ts'];
    const first = pms.requests.length;
    const run = await runShim(plex, argv, { env: plexEnv({ PLEXBEAM_CONFIG: config }), cwd: session });
    t.equal(run.code, 0, run.stderr.slice(-3000));
    const started = worker.logs.filter((l) => l.msg === 'job started' && (l.cwd as string).endsWith(session)).at(-1) as { probe?: { cached: number; probed: number } } | undefined;
    const reported = pms.requests.slice(first).some((r) => r.path.endsWith('/progress/streamDetail'));
    return { probe: started?.probe, reported };
  };
  const one = await play();
  t.match(one.probe, { cached: 0, probed: 1 }, 'the first play probes the file through the cartridge');
  t.ok(one.reported, "and Plex gets the streams' details (/progress/streamDetail)");
  const two = await play();
  t.match(two.probe, { cached: 1, probed: 0 }, 'a second play of the same version takes the cached facts');
  t.ok(two.reported, 'the details from the cache');
  copyFileSync(clip('h264Aac'), `${source}.new`);
  renameSync(`${source}.new`, source);
  const three = await play();
  t.match(three.probe, { cached: 0, probed: 1 }, 'another version of the file is probed again');
});
