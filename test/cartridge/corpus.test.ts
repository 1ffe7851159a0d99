// Real Plex argv (test/fixtures/corpus) through the installed shim and a real worker: Plex's HLS
// (02, with a seek and subtitle burn-in), DASH (09) and an Optimize job (05). The worker
// translates Plex's private options; the cartridge relays callbacks with the token added.
import { spawnSync } from 'node:child_process';
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { adaptCorpusArgv, ensureTestMedia, loadCorpus, readFakeRealCalls, startFakePms, type MediaKey } from '../harness/index.ts';
import { API_KEY, TOKEN, installShim, plexEnv, readSessions, runShim, writeConfig } from './helpers.ts';
import { startRealWorker } from './workers.ts';

// What can fail before any test runs comes first; the worker is stopped with the file's tests
// whatever happens (helpers.ts spawnOwned: teardown, exit, and the parent-death signal).
const samples = new Map(loadCorpus().map((s) => [s.id, s.argv]));
const media = await ensureTestMedia();
const dir = realpathSync(t.testdir({ clips: {}, tx: {} }));
const plex = await installShim(dir);
const pms = await startFakePms({ mediaDir: media.dir });
t.teardown(() => pms.close());
const worker = await startRealWorker(dir, { mediaRoots: [media.dir, join(dir, 'clips')], transcodeRoots: [join(dir, 'tx')] });
t.teardown(() => worker.stop());
const config = writeConfig(dir, { workers: [{ url: worker.url, apiKey: API_KEY, name: 'gpu' }] });

/** A 2-second copy of a test medium: the samples ask for 4K/720p encodes, slow in software. */
function clip(key: MediaKey): string {
  const out = join(dir, 'clips', `${key}.mkv`);
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', media.files[key].path, '-t', '2', '-map', '0', '-c', 'copy', out]);
  if (r.status !== 0) throw new Error(String(r.stderr));
  return out;
}

/** Runs corpus sample `id` through the shim in its own session folder (`sidecar` replaces its subtitle file). */
async function runSample(id: string, input: MediaKey, options: { folder?: string; sidecar?: string } = {}) {
  const session = join(dir, 'tx', options.folder ?? id);
  const adapted = adaptCorpusArgv(samples.get(id) as string[], { media, sessionDir: session, pmsUrl: pms.url });
  const source = clip(input);
  const argv = adapted.map((a, i) => (adapted[i - 1] !== '-i' ? a : a.endsWith('.srt') ? (options.sidecar ?? a) : a.startsWith(media.dir) ? source : a));
  const first = pms.requests.length;
  const run = await runShim(plex, argv, { env: plexEnv({ PLEXBEAM_CONFIG: config }), cwd: session });
  const files = (readdirSync(session, { recursive: true }) as string[]).filter((f) => statSync(join(session, f)).isFile());
  const row = (await readSessions(dir)).find((r) => r.cwd === session);
  return { run, argv, files, requests: pms.requests.slice(first), row };
}

t.test('02 Android HLS with a seek and burned-in subtitles', async (t) => {
  const { run, files, requests, row } = await runSample('02', 'av1Eac3');
  t.equal(run.code, 0, run.stderr.slice(-2000));
  t.match(row, { decision: 'remote', worker: 'gpu', exitCode: 0, kind: 'video-transcode', subtitleBurnIn: true });
  t.ok(files.some((f) => /^media-\d+\.ts$/.test(f)), `segments in the session folder: ${files.join(' ')}`);
  t.ok(requests.some((r) => r.path.endsWith('/manifest')), 'the segment list reached Plex');
  t.ok(requests.some((r) => r.path.endsWith('/progress')), "and Plex's progress reports");
  t.ok(requests.length > 0 && requests.every((r) => r.headers['x-plex-token'] === TOKEN), 'all with X-Plex-Token');
});

t.test('09 DASH for a browser', async (t) => {
  const { run, files, requests, row } = await runSample('09', 'hevc10Eac3');
  t.equal(run.code, 0, run.stderr.slice(-2000));
  t.match(row, { decision: 'remote', exitCode: 0, protocol: 'dash' });
  t.ok(files.some((f) => /\.m4s$/.test(f)), `DASH chunks in the session folder: ${files.join(' ')}`);
  t.ok(requests.length > 0 && requests.every((r) => r.headers['x-plex-token'] === TOKEN));
});

t.test('05 Optimize for Mobile: one mp4 file', async (t) => {
  const { run, files, row } = await runSample('05', 'av1Eac3');
  t.equal(run.code, 0, run.stderr.slice(-2000));
  t.match(row, { decision: 'remote', exitCode: 0, kind: 'optimize' });
  t.ok(files.some((f) => /Plex Versions\/.*\.mp4\.\d+$/.test(f)), `the optimized file: ${files.join(' ')}`);
});

t.test("02 whose subtitle file has no subtitle stream: the worker's ffmpeg fails before any output, Plex's transcoder runs it", async (t) => {
  const nosubs = join(dir, 'clips', 'no-subtitles.mkv');
  const made = spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', media.files.h264Aac.path, '-t', '2', '-map', '0:v', '-map', '0:a', '-c', 'copy', nosubs]);
  if (made.status !== 0) throw new Error(String(made.stderr));
  const { run, argv, row } = await runSample('02', 'av1Eac3', { folder: '02-nosubs', sidecar: nosubs });
  t.equal(run.code, 0, run.code === 0 ? "the stand-in's exit code" : run.stderr.slice(-2000));
  t.match(run.stderr, /plexbeam: gpu failed the job before any output: .*; running Plex Transcoder\.real\n/);
  t.ok(worker.logs.some((l) => l.code === 'FFMPEG_FAILED' && l.exit_code !== null && /^job failed/.test(l.msg ?? '')), 'the worker accepted the job, and its ffmpeg failed before any output');
  const real = (await readFakeRealCalls(plex.realLog)).find((c) => c.cwd === join(dir, 'tx', '02-nosubs'));
  t.same(real?.argv, argv, 'Plex Transcoder.real got the identical argv');
  t.match(row, { decision: 'fallback', fallbackReason: 'failed-before-output', worker: 'gpu', exitCode: 0 });
});
