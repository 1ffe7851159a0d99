// Failover with real processes (issue 13): the installed shim, two real workers, real ffmpeg and
// a fake PMS. Corpus sample 20 (HLS ssegment, 1 s segments) loses its worker to SIGKILL after
// Plex has three segments; corpus 12 (DASH) loses its worker to a network cut (a proxy that goes
// silent). Each goes on on the other worker from the first segment Plex lacks; every segment
// number is there once, the header or init Plex had is untouched, and the concatenated stream
// has every frame once with no timestamp jump. With no second worker, Plex's transcoder (the
// stand-in running stock ffmpeg) runs the rewritten argv.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createServer, Socket, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { resumeDetailsOf } from '../../core/resume-event.ts';
import { adaptCorpusArgv, ensureTestMedia, loadCorpus, readFakeRealCalls, startFakePms, type RecordedRequest } from '../harness/index.ts';
import { API_KEY, installShim, plexEnv, processesWith, readSessions, startShim, until, writeConfig } from './helpers.ts';
import { startRealWorker, type RealWorker } from './workers.ts';

const samples = new Map(loadCorpus().map((s) => [s.id, s.argv]));
const media = await ensureTestMedia();
const dir = realpathSync(t.testdir({ tx: {} }));
const plex = await installShim(dir);
const pms = await startFakePms({ mediaDir: media.dir });
t.teardown(() => pms.close());
const roots = { mediaRoots: [media.dir], transcodeRoots: [join(dir, 'tx')] };
const FPS = 24;
const SECONDS = 10;

/** The worker running the job of session folder `cwd` (it logs `job started` with the cwd). */
async function runnerOf(workers: RealWorker[], cwd: string): Promise<RealWorker> {
  return until(() => workers.find((w) => w.logs.some((l) => l.msg === 'job started' && l.cwd === cwd)), 20_000, 'a worker starts the job');
}

/** Corpus sample `id` made runnable here and cheap: the test medium at 320x180, paced by `-re` so it can be interrupted. */
function sampleArgv(id: string, session: string, changes: [RegExp, string][] = [], input: string | null = media.files.h264Aac.path): string[] {
  const adapted = adaptCorpusArgv(samples.get(id) as string[], { media, sessionDir: session, pmsUrl: pms.url });
  const argv = adapted.map((a, i) => (input !== null && adapted[i - 1] === '-i' && a.startsWith(media.dir) && !a.endsWith('.srt') ? input : changes.reduce((s, [re, to]) => s.replace(re, to), a)));
  argv.splice(argv.indexOf('-i'), 0, '-re');
  return argv;
}

/** Every body Plex received at paths ending in `/manifest`, in order. */
const lists = (from: number) => pms.requests.slice(from).filter((r: RecordedRequest) => r.path.endsWith('/manifest') && r.complete);

/** The segment numbers the CSV bodies name, in order of delivery. */
function csvSegments(requests: RecordedRequest[]): number[] {
  const seen = new Set<number>();
  for (const r of requests) for (const m of r.bodyText.matchAll(/media-(\d+)\.ts,/g)) seen.add(Number(m[1]));
  return [...seen].sort((a, b) => a - b);
}

/** Video packet timestamps of a file ffprobe reads, and its decoded video frame count. */
function videoTimeline(path: string): { pts: number[]; frames: number } {
  const run = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries', 'packet=pts_time:stream=nb_read_frames', '-of', 'json', path], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`ffprobe ${path}: ${run.stderr}`);
  const parsed = JSON.parse(run.stdout) as { packets: { pts_time: string }[]; streams: { nb_read_frames: string }[] };
  return { pts: parsed.packets.map((p) => Number(p.pts_time)).sort((a, b) => a - b), frames: Number(parsed.streams[0]?.nb_read_frames ?? 0) };
}

/** Checks that `pts` covers the whole medium once: `SECONDS * FPS` frames, none repeated, no jump beyond one frame. */
function checkTimeline(t: Test, what: string, timeline: { pts: number[]; frames: number }, slackFrames = 0): void {
  t.equal(timeline.frames, SECONDS * FPS, `${what}: every video frame once (${timeline.frames} decoded)`);
  const steps = timeline.pts.slice(1).map((p, i) => p - (timeline.pts[i] as number));
  const worst = Math.max(...steps);
  t.ok(steps.every((d) => d > 0), `${what}: no frame repeated (timestamps strictly increase)`);
  const at = steps.indexOf(worst);
  t.ok(worst <= (1 + slackFrames) / FPS + 0.002, `${what}: no timestamp jump beyond one frame (largest step ${worst.toFixed(4)} s, after ${timeline.pts[at]} s, frame ${at})`);
}

/** The resume events of the session run in `cwd`. */
async function resumesOf(cwd: string) {
  const row = (await readSessions(dir)).find((r) => r.cwd === cwd);
  const { openSessionLog } = await import('../../core/session-log/index.ts');
  const log = openSessionLog(join(dir, 'data', 'sessions.db'));
  try {
    return { row, resumes: log.listEvents().map(resumeDetailsOf).filter((d) => d !== null && d.sessionId === row?.id) };
  } finally {
    log.close();
  }
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

t.test('20 HLS ssegment: the worker SIGKILLed after Plex has three segments; the other worker goes on from the fourth', async (t) => {
  const a = await startRealWorker(dir, roots);
  const b = await startRealWorker(dir, roots);
  t.teardown(() => Promise.all([a.stop('SIGKILL'), b.stop()]));
  const session = join(dir, 'tx', 'hls');
  // A worker killed with SIGKILL leaves its ffmpeg orphaned: the test's to clean up.
  t.teardown(() => {
    for (const pid of processesWith(session)) process.kill(pid, 'SIGKILL');
  });
  const argv = sampleArgv('20', session, [[/w=3840:h=2160/, 'w=320:h=180']]);
  const config = writeConfig(dir, { workers: [{ url: a.url, apiKey: API_KEY, name: 'a' }, { url: b.url, apiKey: API_KEY, name: 'b' }] });
  const from = pms.requests.length;
  const run = startShim(plex, argv, { env: plexEnv({ PLEXBEAM_CONFIG: config }), cwd: session });
  const first = await runnerOf([a, b], session);
  const second = first === a ? b : a;
  await until(() => (csvSegments(lists(from)).includes(2) ? true : undefined), 30_000, 'Plex has segments 0-2');
  const header = sha(join(session, 'header'));
  first.proc.kill('SIGKILL');
  const end = await run.exited;
  t.equal(end.code, 0, run.stderr().slice(-3000));
  t.match(run.stderr(), /going on from segment \d+/);
  t.ok(second.logs.some((l) => l.msg === 'job started' && l.cwd === session), 'the other worker ran the rest');
  const names = readdirSync(session).filter((n) => /^media-\d+\.ts$/.test(n)).sort();
  const numbers = names.map((n) => Number(/\d+/.exec(n)?.[0]));
  t.same(numbers, Array.from({ length: numbers.length }, (_, i) => i), `every segment number from 0 once: ${numbers.join(' ')}`);
  t.ok(numbers.length >= SECONDS, `${numbers.length} segments for ${SECONDS} s`);
  t.same(csvSegments(lists(from)), numbers, 'the CSV list Plex received names every segment');
  t.equal(sha(join(session, 'header')), header, 'the header Plex had is not rewritten');
  t.notOk(readdirSync(session).some((n) => n.includes('plexbeam-resume')), "the resumed run's own header is removed");
  const whole = join(dir, 'hls-whole.mkv');
  writeFileSync(whole, Buffer.concat([readFileSync(join(session, 'header')), ...names.map((n) => readFileSync(join(session, n)))]));
  checkTimeline(t, 'header + segments', videoTimeline(whole));
  const { row, resumes } = await resumesOf(session);
  t.match(row, { decision: 'remote', exitCode: 0, endedBy: 'exit' });
  t.equal(resumes.length, 1, 'one resume recorded');
  t.match(resumes[0], { from: first === a ? 'a' : 'b', to: second === a ? 'a' : 'b', reason: 'worker-lost' });
  t.ok((resumes[0]?.segment ?? 0) >= 3, `resumed at segment ${resumes[0]?.segment}`);
  t.type(resumes[0]?.gapMs, 'number', `gap ${resumes[0]?.gapMs} ms`);
});

/** A TCP proxy to `target` that can go silent (a network cut: connections stay open, nothing passes) and heal (connections reset). */
async function startProxy(target: string) {
  const { port: targetPort } = new URL(target);
  const pairs = new Set<[Socket, Socket]>();
  let cut = false;
  const held = new Set<Socket>();
  const server = createServer((inbound) => {
    held.add(inbound);
    inbound.on('close', () => held.delete(inbound));
    if (cut) return void inbound.on('error', () => undefined);
    const outbound = new Socket();
    outbound.connect(Number(targetPort), '127.0.0.1');
    const pair: [Socket, Socket] = [inbound, outbound];
    pairs.add(pair);
    for (const s of pair) s.on('error', () => undefined);
    inbound.on('data', (d) => (cut ? undefined : outbound.write(d)));
    outbound.on('data', (d) => (cut ? undefined : inbound.write(d)));
    inbound.on('close', () => (cut ? undefined : outbound.destroy()));
    outbound.on('close', () => (cut ? undefined : inbound.destroy()));
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut: () => (cut = true),
    /** The network is back: both sides see their connections reset. */
    heal: () => {
      for (const [i, o] of pairs) {
        i.resetAndDestroy();
        o.resetAndDestroy();
      }
      pairs.clear();
      cut = false;
    },
    close: () => {
      for (const pair of pairs) for (const socket of pair) socket.destroy();
      for (const socket of held) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

t.test("12 DASH in stream mode: the worker's network cut (silent) mid-stream; the other worker goes on; the lost job is gone once the network is back", async (t) => {
  const a = await startRealWorker(dir, roots);
  const b = await startRealWorker(dir, roots);
  const proxy = await startProxy(a.url);
  t.teardown(async () => {
    await proxy.close();
    await Promise.all([a.stop('SIGKILL'), b.stop('SIGKILL')]);
  });
  const session = join(dir, 'tx', 'dash');
  const argv = sampleArgv('12', session, [[/w=720:h=404/, 'w=320:h=180'], [/^8$/, '1'], [/n_forced\*8/, 'n_forced*1']]);
  t.equal(argv[argv.indexOf('-seg_duration') + 1], '1', '1 s chunks');
  // Stream mode: a worker cut off from the Plex machine writes nothing there (on shared storage a real cut takes the share too).
  const config = writeConfig(dir, { workers: [{ url: proxy.url, apiKey: API_KEY, name: 'a', weight: 100, storage: 'stream' }, { url: b.url, apiKey: API_KEY, name: 'b', storage: 'stream' }] });
  const from = pms.requests.length;
  const run = startShim(plex, argv, { env: plexEnv({ PLEXBEAM_CONFIG: config }), cwd: session });
  // In stream mode ffmpeg runs in the job's mirror of the session folder: any job a starts is this one.
  const started = await until(() => a.logs.find((l) => l.msg === 'job started'), 20_000, 'a starts the job');
  await until(() => (lists(from).some((r) => /startNumber="\d+"[\s\S]*<S [^>]*\/>[\s\S]*<S [^>]*\/>[\s\S]*<S /.test(r.bodyText)) ? true : undefined), 30_000, 'Plex has 3 chunks');
  const init = sha(join(session, 'init-stream0.m4s'));
  proxy.cut();
  const cutAt = Date.now();
  await until(() => (b.logs.some((l) => l.msg === 'job started') ? true : undefined), 20_000, 'b takes over');
  t.comment(`b started ${Date.now() - cutAt} ms after the cut`);
  const end = await run.exited;
  t.equal(end.code, 0, run.stderr().slice(-3000));
  t.equal(sha(join(session, 'init-stream0.m4s')), init, 'the init Plex had is not rewritten');
  t.notOk(readdirSync(session).some((n) => n.includes('plexbeam-resume')), "the resumed run's own init files are removed");
  for (const rep of ['0', '1']) {
    const chunks = readdirSync(session).filter((n) => new RegExp(`^chunk-stream${rep}-\\d+\\.m4s$`).test(n)).sort();
    const numbers = chunks.map((n) => Number(/-(\d+)\.m4s$/.exec(n)?.[1]));
    t.same(numbers, Array.from({ length: numbers.length }, (_, i) => i + 1), `stream ${rep}: every chunk number from 1 once: ${numbers.join(' ')}`);
    if (rep !== '0') continue;
    const whole = join(dir, 'dash-whole.mp4');
    writeFileSync(whole, Buffer.concat([readFileSync(join(session, 'init-stream0.m4s')), ...chunks.map((n) => readFileSync(join(session, n)))]));
    checkTimeline(t, 'init + chunks', videoTimeline(whole));
  }
  const { resumes } = await resumesOf(session);
  t.match(resumes, [{ from: 'a', to: 'b', reason: 'worker-lost' }]);
  // The network is back: whatever a kept of the job for nobody ends (its link resets; the worker's grace ends it).
  proxy.heal();
  const status = await until(async () => {
    const s = await a.status(started.job_id);
    return s.state === 'running' || s.state === 'queued' ? undefined : s;
  }, 15_000, "a's job ends");
  t.comment(`a's job ended ${status.state} (${status.error_code})`);
  t.notOk(existsSync(`/proc/${started.ffmpeg_pid}/cmdline`) && readFileSync(`/proc/${started.ffmpeg_pid}/cmdline`, 'utf8').includes('ffmpeg'), "no ffmpeg of a's job left");
});

t.test("no second worker: Plex's transcoder runs the rewritten argv from the next segment", async (t) => {
  const a = await startRealWorker(dir, roots);
  t.teardown(() => a.stop('SIGKILL'));
  const session = join(dir, 'tx', 'local');
  mkdirSync(session, { recursive: true });
  t.teardown(() => {
    for (const pid of processesWith(session)) process.kill(pid, 'SIGKILL');
  });
  // Plex's ssegment shape in options stock ffmpeg knows, so the stand-in can run it with stock ffmpeg.
  const P = `/video/:/transcode/session/local/1`;
  const argv = ['-re', '-i', media.files.h264Aac.path, '-start_at_zero', '-copyts', '-fps_mode', 'cfr', '-y', '-nostats', '-loglevel', 'error',
    '-map', '0:0', '-codec:0', 'libx264', '-preset:0', 'ultrafast', '-r:0', '24', '-force_key_frames:0', 'expr:gte(t,n_forced*1)', '-map', '0:1', '-codec:1', 'aac',
    '-segment_format', 'matroska', '-f', 'segment', '-individual_header_trailer', '0', '-flags', '+global_header', '-segment_header_filename', 'header',
    '-segment_time', '1', '-segment_start_number', '0', '-segment_list', `${pms.url}${P}/manifest`, '-segment_list_type', 'csv',
    '-segment_format_options', 'output_ts_offset=10', '-avoid_negative_ts', 'disabled', 'media-%05d.ts'];
  const config = writeConfig(dir, { workers: [{ url: a.url, apiKey: API_KEY, name: 'a' }] });
  const from = pms.requests.length;
  const run = startShim(plex, argv, { env: plexEnv({ PLEXBEAM_CONFIG: config, PLEXBEAM_FAKE_REAL_MODE: 'ffmpeg' }), cwd: session });
  await until(() => (csvSegments(lists(from)).includes(2) ? true : undefined), 30_000, 'Plex has segments 0-2');
  const header = sha(join(session, 'header'));
  a.proc.kill('SIGKILL');
  const end = await run.exited;
  t.equal(end.code, 0, run.stderr().slice(-3000));
  const call = (await readFakeRealCalls(plex.realLog)).find((c) => c.cwd === session);
  const resumedAt = Number(call?.argv[call.argv.indexOf('-segment_start_number') + 1]);
  t.ok(resumedAt >= 3, `Plex's transcoder started at segment ${resumedAt}`);
  t.same(call?.argv.slice(0, 4), ['-re', '-ss', String(resumedAt), '-i'], 'its input seeks to that segment');
  t.notOk(call?.argv.includes('-fps_mode'), 'without -fps_mode cfr');
  const names = readdirSync(session).filter((n) => /^media-\d+\.ts$/.test(n)).sort();
  const numbers = names.map((n) => Number(/\d+/.exec(n)?.[0]));
  t.same(numbers, Array.from({ length: numbers.length }, (_, i) => i), `every segment number from 0 once: ${numbers.join(' ')}`);
  t.equal(sha(join(session, 'header')), header, 'the header Plex had is not rewritten');
  const whole = join(dir, 'local-whole.mkv');
  writeFileSync(whole, Buffer.concat([readFileSync(join(session, 'header')), ...names.map((n) => readFileSync(join(session, n)))]));
  // The stand-in is stock ffmpeg, not Plex's transcoder: after `-ss` with `-copyts -start_at_zero` on this file (its
  // audio starts 21 ms in) stock presents the frames one frame later than the first run did; each frame is still there once.
  checkTimeline(t, 'header + segments', videoTimeline(whole), 1);
  const { resumes } = await resumesOf(session);
  t.match(resumes, [{ from: 'a', to: 'local', reason: 'worker-lost', segment: resumedAt }]);
});

t.test('12 DASH on shared storage: the worker drained mid-stream hands the job back at a chunk boundary; the other worker goes on', async (t) => {
  const a = await startRealWorker(dir, roots);
  const b = await startRealWorker(dir, roots);
  t.teardown(() => Promise.all([a.stop('SIGKILL'), b.stop('SIGKILL')]));
  const session = join(dir, 'tx', 'drain');
  const argv = sampleArgv('12', session, [[/w=720:h=404/, 'w=320:h=180'], [/^8$/, '1'], [/n_forced\*8/, 'n_forced*1']]);
  const config = writeConfig(dir, { workers: [{ url: a.url, apiKey: API_KEY, name: 'a', weight: 100 }, { url: b.url, apiKey: API_KEY, name: 'b' }] });
  const from = pms.requests.length;
  const run = startShim(plex, argv, { env: plexEnv({ PLEXBEAM_CONFIG: config }), cwd: session });
  await until(() => a.logs.find((l) => l.msg === 'job started' && l.cwd === session), 20_000, 'a starts the job');
  await until(() => (lists(from).some((r) => /<S [^>]*\/>[\s\S]*<S /.test(r.bodyText)) ? true : undefined), 30_000, 'Plex has 2 chunks');
  const init = sha(join(session, 'init-stream0.m4s'));
  const drained = await fetch(`${a.url}/drain`, { method: 'POST', headers: { 'x-api-key': API_KEY } });
  t.equal(drained.status, 200);
  const end = await run.exited;
  t.equal(end.code, 0, run.stderr().slice(-3000));
  t.ok(b.logs.some((l) => l.msg === 'job started' && l.cwd === session), 'b ran the rest');
  t.equal(sha(join(session, 'init-stream0.m4s')), init, 'the init Plex had is not rewritten');
  const chunks = readdirSync(session).filter((n) => /^chunk-stream0-\d+\.m4s$/.test(n)).sort();
  const numbers = chunks.map((n) => Number(/-(\d+)\.m4s$/.exec(n)?.[1]));
  t.same(numbers, Array.from({ length: numbers.length }, (_, i) => i + 1), `every chunk number from 1 once: ${numbers.join(' ')}`);
  const whole = join(dir, 'drain-whole.mp4');
  writeFileSync(whole, Buffer.concat([readFileSync(join(session, 'init-stream0.m4s')), ...chunks.map((n) => readFileSync(join(session, n)))]));
  checkTimeline(t, 'init + chunks', videoTimeline(whole));
  const { resumes } = await resumesOf(session);
  t.match(resumes, [{ from: 'a', to: 'b', reason: 'handed-back' }]);
  t.match(await (await fetch(`${b.url}/transcode`, { method: 'POST', headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' }, body: '{}' })).status, 400, 'b still takes jobs');
});

t.test('20 HLS in stream mode: the worker drained mid-stream hands the job back; the other worker goes on; every segment once', async (t) => {
  const a = await startRealWorker(dir, roots);
  const b = await startRealWorker(dir, roots);
  t.teardown(() => Promise.all([a.stop('SIGKILL'), b.stop('SIGKILL')]));
  const session = join(dir, 'tx', 'hls-stream');
  // The medium the harness picks for this sample (AV1 as Plex's decoder hint says): stream mode takes Plex's hints as they are.
  const argv = sampleArgv('20', session, [[/w=3840:h=2160/, 'w=320:h=180']], null);
  const config = writeConfig(dir, { workers: [{ url: a.url, apiKey: API_KEY, name: 'a', weight: 100, storage: 'stream' }, { url: b.url, apiKey: API_KEY, name: 'b', storage: 'stream' }] });
  const from = pms.requests.length;
  const run = startShim(plex, argv, { env: plexEnv({ PLEXBEAM_CONFIG: config }), cwd: session });
  await until(() => (csvSegments(lists(from)).includes(1) ? true : undefined), 30_000, 'Plex has segments 0-1').catch((error: Error) => {
    throw new Error(`${error.message}; stderr: ${run.stderr().slice(-1500)}`);
  });
  const header = sha(join(session, 'header'));
  t.equal((await fetch(`${a.url}/drain`, { method: 'POST', headers: { 'x-api-key': API_KEY } })).status, 200);
  const end = await run.exited;
  t.equal(end.code, 0, run.stderr().slice(-3000));
  t.ok(b.logs.some((l) => l.msg === 'job started'), 'b ran the rest');
  const names = readdirSync(session).filter((n) => /^media-\d+\.ts$/.test(n)).sort();
  const numbers = names.map((n) => Number(/\d+/.exec(n)?.[0]));
  t.same(numbers, Array.from({ length: numbers.length }, (_, i) => i), `every segment number from 0 once: ${numbers.join(' ')}`);
  t.same(csvSegments(lists(from)), numbers, 'the CSV list Plex received names every segment');
  t.equal(sha(join(session, 'header')), header, 'the header Plex had is not rewritten');
  t.notOk(readdirSync(session).some((n) => n.includes('plexbeam-resume')), "the resumed run's own header is removed");
  const whole = join(dir, 'hls-stream-whole.mkv');
  writeFileSync(whole, Buffer.concat([readFileSync(join(session, 'header')), ...names.map((n) => readFileSync(join(session, n)))]));
  checkTimeline(t, 'header + segments', videoTimeline(whole));
  const { resumes } = await resumesOf(session);
  t.match(resumes, [{ from: 'a', to: 'b', reason: 'handed-back' }]);
});

t.test('05 Optimize (one mp4, no segments): the worker SIGKILLed mid-file; the other worker writes it again from the beginning', async (t) => {
  const a = await startRealWorker(dir, roots);
  const b = await startRealWorker(dir, roots);
  t.teardown(() => Promise.all([a.stop('SIGKILL'), b.stop('SIGKILL')]));
  const session = join(dir, 'tx', 'optimize');
  t.teardown(() => {
    for (const pid of processesWith(session)) process.kill(pid, 'SIGKILL');
  });
  const argv = sampleArgv('05', session, [[/w=1280:h=720/, 'w=320:h=180']]);
  const target = argv.at(-1) as string;
  const config = writeConfig(dir, { workers: [{ url: a.url, apiKey: API_KEY, name: 'a', weight: 100 }, { url: b.url, apiKey: API_KEY, name: 'b' }] });
  const run = startShim(plex, argv, { env: plexEnv({ PLEXBEAM_CONFIG: config }), cwd: session });
  await until(() => a.logs.find((l) => l.msg === 'job started' && l.cwd === session), 20_000, 'a starts the job');
  // `-re`: 10 s of media take 10 s; 3 s in, the file is part written.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  a.proc.kill('SIGKILL');
  const end = await run.exited;
  t.equal(end.code, 0, run.stderr().slice(-3000));
  t.match(run.stderr(), /going on from the beginning/);
  t.ok(b.logs.some((l) => l.msg === 'job started' && l.cwd === session), 'b wrote it again');
  const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', target], { encoding: 'utf8' });
  t.equal(probe.status, 0, probe.stderr);
  t.ok(Math.abs(Number(probe.stdout) - SECONDS) < 0.5, `the mp4 is whole: ${probe.stdout.trim()} s`);
  // `-r:0 24` (cfr) repeats the first frame of this source, whose video starts 21 ms in, as an uninterrupted run does: 240 or 241.
  const mp4 = videoTimeline(target);
  t.ok(mp4.frames === SECONDS * FPS || mp4.frames === SECONDS * FPS + 1, `the mp4 has every frame (${mp4.frames})`);
  t.ok(mp4.pts.slice(1).every((p, i) => p - (mp4.pts[i] as number) > 0 && p - (mp4.pts[i] as number) <= 1 / FPS + 0.002), 'one frame apart throughout');
  const { resumes } = await resumesOf(session);
  t.match(resumes, [{ from: 'a', to: 'b', reason: 'worker-lost', segment: 0 }]);
});
