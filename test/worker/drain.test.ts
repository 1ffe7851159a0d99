// Drain (issue 13): a draining worker hands each running segmented job (HLS ssegment, DASH) back
// at its next segment boundary, lets other jobs finish, refuses new ones until resume, tells
// systemd, and drains on SIGTERM. Real worker process, real ffmpeg (read at real time with
// -readrate 1, so the jobs are mid-run when the drain comes), the link relayed to a fake PMS.
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { probeMedia, probeSegments, startFakePms, type FakePms } from '../harness/index.ts';
import { relayJob, type CartridgeRelay } from './fake-cartridge.ts';
import { makeMedia, processGroup, startWorker, waitForEnd, type RunningWorker } from './helpers.ts';

const dir = realpathSync(t.testdir({ media: {}, tx: {}, bin: {} }));
const media = makeMedia(join(dir, 'media', 'long.mkv'), 30);
const medium = makeMedia(join(dir, 'media', 'medium.mkv'), 10);
const short = makeMedia(join(dir, 'media', 'short.mkv'), 4);
const pms = await startFakePms();
t.teardown(() => pms.close());
const workerConfig = { hwaccel: 'software', maxJobs: 4, confinement: 'unconfined', mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')] };
const session = (name: string) => `/video/:/transcode/session/${name}/job-${name}`;
const pad = (n: number) => String(n).padStart(5, '0');

/** A Plex-shaped HLS job: matroska ssegment, 1 s segments numbered from `first`, the CSV list POSTed to Plex. */
function hlsArgv(name: string, input: string, first: number, segmentTime = 1): string[] {
  return [
    '-readrate', '1', '-i', input, '-progressurl', `${pms.url}${session(name)}/progress`,
    '-map', '0:0', '-codec:0', 'libx264', '-preset:0', 'ultrafast', '-force_key_frames:0', `expr:gte(t,n_forced*${segmentTime})`,
    '-map', '0:1', '-codec:1', 'aac',
    '-segment_format', 'matroska', '-f', 'ssegment', '-individual_header_trailer', '0', '-flags', '+global_header', '-segment_header_filename', 'header',
    '-segment_time', String(segmentTime), '-segment_start_number', String(first),
    '-segment_list', `${pms.url}${session(name)}/manifest?X-Plex-Http-Pipeline=infinite`, '-segment_list_type', 'csv', '-segment_list_size', '5',
    '-segment_list_separate_stream_times', '1', '-segment_list_unfinished', '1', 'media-%05d.ts',
  ];
}

/** A Plex-shaped DASH job: 1 s chunks numbered from 1, the manifest PUT to Plex. */
function dashArgv(name: string): string[] {
  return [
    '-readrate', '1', '-i', media, '-progressurl', `${pms.url}${session(name)}/progress`,
    '-map', '0:0', '-codec:0', 'libx264', '-preset:0', 'ultrafast', '-force_key_frames:0', 'expr:gte(t,n_forced*1)',
    '-map', '0:1', '-codec:1', 'aac',
    '-f', 'dash', '-seg_duration', '1', '-dash_segment_type', 'mp4', '-init_seg_name', 'init-stream$RepresentationID$.m4s',
    '-media_seg_name', 'chunk-stream$RepresentationID$-$Number%05d$.m4s', '-window_size', '5', '-delete_removed', 'false', '-skip_to_segment', '1',
    '-manifest_name', `${pms.url}${session(name)}/manifest?X-Plex-Http-Pipeline=infinite`, '-avoid_negative_ts', 'disabled', 'dash',
  ];
}

/** An Optimize-like job: one mp4 file, nothing segmented. */
function mp4Argv(name: string, input: string): string[] {
  return ['-readrate', '1', '-i', input, '-progressurl', `${pms.url}${session(name)}/progress`, '-map', '0:0', '-codec:0', 'libx264', '-preset:0', 'ultrafast', '-map', '0:1', '-codec:1', 'aac', '-f', 'mp4', '-movflags', '+faststart', 'optimized.mp4'];
}

interface Started { jobId: string; sessionDir: string; relay: CartridgeRelay; pid: number }

/** POSTs a job in its own session folder and relays its link to the fake PMS, as a cartridge would. */
async function start(worker: RunningWorker, name: string, argv: string[]): Promise<Started> {
  const sessionDir = join(dir, 'tx', name);
  mkdirSync(sessionDir, { recursive: true });
  const { status, json } = await worker.request('POST', '/transcode', { session_id: name, argv, env: {}, cwd: sessionDir });
  if (status !== 202) throw new Error(`${name} refused (${status}): ${JSON.stringify(json)}`);
  const relay = relayJob(worker.base, json.job_id, pms.url);
  const started = await worker.waitForLog((l) => l.job_id === json.job_id && l.msg === 'job started');
  return { jobId: json.job_id, sessionDir, relay, pid: started.ffmpeg_pid as number };
}

/** Resolves once Plex got `count` deliveries to the session's manifest URL (CSV list POSTs or manifest PUTs). */
async function manifestDeliveries(name: string, count: number): Promise<void> {
  const path = `${session(name)}/manifest`;
  const deadline = Date.now() + 30_000;
  while (pms.requests.filter((r) => r.path === path).length < count) {
    if (Date.now() > deadline) throw new Error(`fewer than ${count} manifest deliveries for ${name}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The body of link callback `seq`, put together from its callback_data messages. */
function callbackBody(relay: CartridgeRelay, seq: number): string {
  return Buffer.concat(relay.link.messages.filter((m) => m.type === 'callback_data' && m.seq === seq).map((m) => Buffer.from(m.body_b64, 'base64'))).toString('utf8');
}

/** The link ended with the hand-back exit naming a segment; returns it. */
async function checkHandedBack(t: Test, worker: RunningWorker, job: Started): Promise<number> {
  await job.relay.done;
  const exit = job.relay.link.messages.at(-1) ?? {};
  t.match(exit, { type: 'exit', state: 'handed-back', code: null, signal: null, error_code: 'WORKER_DRAINING', error: /^the worker is draining: job handed back after segment \d+$/ }, 'the link ends with the hand-back');
  t.type(exit.segment, 'number', 'the exit names the last segment published');
  t.equal(exit.error, `the worker is draining: job handed back after segment ${exit.segment}`);
  t.match(await waitForEnd(worker, job.jobId), { state: 'handed-back', error_code: 'WORKER_DRAINING', segment: exit.segment }, 'GET /status says handed-back too');
  t.same(processGroup(job.pid), [], 'no process of the job is left');
  t.notOk(readdirSync(job.sessionDir).some((f) => f.startsWith('.plexbeam-stage')), 'the staging folder (and any partial segment in it) is gone');
  return exit.segment as number;
}

/** Index in the link of the manifest callback whose body satisfies `names`, checked to come before the exit. */
function checkListedBeforeExit(t: Test, job: Started, names: (body: string) => boolean, what: string): void {
  const messages = job.relay.link.messages;
  const exitAt = messages.findIndex((m) => m.type === 'exit');
  const listed = messages.findIndex((m) => m.type === 'callback' && m.path.endsWith('/manifest') && names(callbackBody(job.relay, m.seq)));
  t.ok(listed !== -1 && listed < exitAt, `the ${what} callback was on the link before the exit`);
  const seq = messages[listed]?.seq;
  t.ok(job.relay.replayed.some((r) => r.seq === seq && r.status === 200), `and Plex answered it (${what})`);
}

/** HLS: segments first..n in place and each readable after the header; none beyond n; the last list delivered names n. */
async function checkHlsUpTo(t: Test, job: Started, first: number, n: number): Promise<void> {
  t.ok(n >= first + 1, `handed back mid-run after segment ${n} (first ${first})`);
  const names = readdirSync(job.sessionDir).filter((f) => /^media-\d+\.ts$/.test(f)).sort();
  t.same(names, Array.from({ length: n - first + 1 }, (_, i) => `media-${pad(first + i)}.ts`), `segments ${first}..${n}, nothing beyond`);
  const probes = await probeSegments(job.sessionDir, 'media-%05d.ts', { header: 'header' });
  for (const p of probes) t.ok(p.ok && p.packets > 0 && p.streams.length === 2, `header+${p.name} is complete (ffprobe reads video and audio) ${p.error ?? ''}`);
  checkListedBeforeExit(t, job, (body) => body.trim().split('\n').at(-1)?.startsWith(`media-${pad(n)}.ts,`) === true, `segment list ending with media-${pad(n)}.ts`);
}

t.test('drain: HLS and DASH jobs handed back at a segment boundary, an mp4 job finishes, new jobs refused until resume', async (t) => {
  const worker = await startWorker(dir, workerConfig);
  t.teardown(() => worker.stop());
  const hls = await start(worker, 'hls', hlsArgv('hls', media, 5));
  const dash = await start(worker, 'dash', dashArgv('dash'));
  const mp4 = await start(worker, 'mp4', mp4Argv('mp4', medium));
  await Promise.all([manifestDeliveries('hls', 2), manifestDeliveries('dash', 2)]);

  const drained = await worker.request('POST', '/drain');
  t.match(drained, { status: 200, json: { draining: true, jobs: { running: 3 }, handing_back: 2 } }, 'the drain reply counts the jobs to hand back');
  t.match(await worker.request('GET', '/health', undefined, {}), { status: 200, json: { status: 'ok', draining: true } });
  const refused = await worker.request('POST', '/transcode', { session_id: 'late', argv: mp4Argv('late', short), env: {}, cwd: join(dir, 'tx') });
  t.match(refused, { status: 503, json: { code: 'WORKER_BUSY', error: /draining/ } }, 'a new job is refused while draining');

  const hlsSegment = await checkHandedBack(t, worker, hls);
  await checkHlsUpTo(t, hls, 5, hlsSegment);

  const dashSegment = await checkHandedBack(t, worker, dash);
  t.ok(dashSegment >= 2, `DASH handed back mid-run after chunk ${dashSegment}`);
  for (const rep of [0, 1]) {
    const chunks = readdirSync(dash.sessionDir).filter((f) => f.startsWith(`chunk-stream${rep}-`)).sort();
    t.same(chunks, Array.from({ length: dashSegment }, (_, i) => `chunk-stream${rep}-${pad(i + 1)}.m4s`), `representation ${rep}: chunks 1..${dashSegment}, nothing beyond`);
    const probes = await probeSegments(dash.sessionDir, `chunk-stream${rep}-%05d.m4s`, { header: `init-stream${rep}.m4s` });
    for (const p of probes) t.ok(p.ok && p.packets > 0, `init+${p.name} is complete (ffprobe reads it) ${p.error ?? ''}`);
  }
  // dashenc's timeline (window of 5) ends at startNumber + entries - 1: the manifest naming chunk N for both representations.
  const lastListed = (mpd: string) => [...mpd.matchAll(/<Representation\b[\s\S]*?<\/Representation>/g)].map((rep) => {
    const start = Number(/startNumber="(\d+)"/.exec(rep[0])?.[1]);
    const entries = [...rep[0].matchAll(/<S\b([^>]*)\/>/g)].reduce((sum, s) => sum + 1 + Number(/\br="(\d+)"/.exec(s[1] ?? '')?.[1] ?? 0), 0);
    return start + entries - 1;
  });
  checkListedBeforeExit(t, dash, (body) => { const last = lastListed(body); return last.length === 2 && last.every((n) => n === dashSegment); }, `manifest listing chunk ${dashSegment}`);

  await mp4.relay.done;
  t.match(mp4.relay.link.messages.at(-1), { type: 'exit', state: 'completed', code: 0 }, 'the mp4 job ran to its end while draining');
  const probed = await probeMedia(join(mp4.sessionDir, 'optimized.mp4'));
  t.ok(Math.abs(Number(probed.format.duration) - 10) < 0.5, `the whole mp4 is there (${probed.format.duration} s)`);

  t.match(await worker.request('POST', '/resume'), { status: 200, json: { draining: false } });
  const after = await start(worker, 'after', mp4Argv('after', short));
  await after.relay.done;
  t.match(after.relay.link.messages.at(-1), { type: 'exit', state: 'completed', code: 0 }, 'a new job is accepted and runs after resume');
  const metrics = await worker.request('GET', '/metrics');
  t.match(metrics.text, /^plexbeam_worker_jobs_ended_total\{outcome="handed-back"\} 2$/m, 'metrics count the hand-backs');
});

t.test('resume before the next segment: the job is not handed back', async (t) => {
  const worker = await startWorker(dir, workerConfig);
  t.teardown(() => worker.stop());
  // 3 s segments: drain and resume land before the first boundary.
  const job = await start(worker, 'hls-resumed', hlsArgv('hls-resumed', short, 0, 3));
  await worker.request('POST', '/drain');
  t.match(await worker.request('POST', '/resume'), { status: 200, json: { draining: false, handing_back: 0 } });
  await job.relay.done;
  t.match(job.relay.link.messages.at(-1), { type: 'exit', state: 'completed', code: 0 }, 'it ran to its end');
  const last = readdirSync(job.sessionDir).filter((f) => /^media-\d+\.ts$/.test(f)).sort().at(-1);
  t.ok(last !== undefined && Number(/\d+/.exec(last)?.[0]) >= 1, `segments published (the last ${last})`);
  t.match(await waitForEnd(worker, job.jobId), { state: 'completed', segment: Number(/\d+/.exec(last ?? '')?.[0]) }, 'its status names the last segment');
});

t.test('systemd: STATUS says draining while jobs are handed back, and is back to normal on resume', async (t) => {
  const bin = join(dir, 'bin');
  const calls = join(dir, 'notify-calls');
  writeFileSync(join(bin, 'systemd-notify'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${calls}'\n`);
  chmodSync(join(bin, 'systemd-notify'), 0o755);
  const worker = await startWorker(dir, workerConfig, { NOTIFY_SOCKET: '/run/fake-notify', PATH: `${bin}:${process.env.PATH}` });
  t.teardown(() => worker.stop());
  const lines = () => (existsSync(calls) ? readFileSync(calls, 'utf8').split('\n') : []);
  const waitForLine = async (re: RegExp) => {
    for (const deadline = Date.now() + 20_000; !lines().some((l) => re.test(l)); await new Promise((resolve) => setTimeout(resolve, 50))) {
      if (Date.now() > deadline) throw new Error(`no systemd-notify call matching ${re}: ${lines().join(' | ')}`);
    }
    return lines().filter((l) => re.test(l));
  };
  await waitForLine(/--ready STATUS=0\/4 jobs, software/);
  const job = await start(worker, 'hls-notify', hlsArgv('hls-notify', media, 0));
  await manifestDeliveries('hls-notify', 1);
  await worker.request('POST', '/drain');
  t.ok((await waitForLine(/STATUS=draining: 1 job being handed back; 1\/4 jobs, software/)).length > 0, 'systemctl status shows the drain');
  await job.relay.done;
  await waitForLine(/STATUS=draining: 0 jobs being handed back; 0\/4 jobs/);
  t.ok(true, 'and counts the job once handed back');
  await worker.request('POST', '/resume');
  const normal = await waitForLine(/^--pid=\d+ STATUS=0\/4 jobs, software/);
  t.ok(normal.length >= 1, 'back to the normal line on resume');
  t.match(lines().filter((l) => l !== '').at(-1), /^--pid=\d+ STATUS=0\/4 jobs/, 'the last status is the normal one');
});

t.test('SIGTERM: a running segmented job is handed back at its next segment, then the worker exits 0', async (t) => {
  const worker = await startWorker(dir, workerConfig);
  const job = await start(worker, 'hls-term', hlsArgv('hls-term', media, 0));
  await manifestDeliveries('hls-term', 2);
  worker.proc.kill('SIGTERM');
  t.same(await worker.exited, { code: 0, signal: null }, 'exit 0');
  const n = await job.relay.done.then(() => job.relay.link.messages.at(-1)?.segment as number);
  t.match(job.relay.link.messages.at(-1), { type: 'exit', state: 'handed-back', error_code: 'WORKER_DRAINING', segment: n });
  t.same(processGroup(job.pid), [], 'no process of the job is left');
  const names = readdirSync(job.sessionDir).filter((f) => /^media-\d+\.ts$/.test(f)).sort();
  t.same(names, Array.from({ length: n + 1 }, (_, i) => `media-${pad(i)}.ts`), `segments 0..${n}, nothing beyond`);
  t.notOk(readdirSync(job.sessionDir).some((f) => f.startsWith('.plexbeam-stage')), 'the staging folder is gone');
  t.ok(worker.logs.some((l) => l.msg === 'stopping: handing segmented jobs back at their next segment, cancelling the rest'));
  t.ok(worker.logs.some((l) => l.msg === 'stopped'));
});

t.test('SIGTERM: a segmented job that reaches no boundary within stopHandBackS is cancelled as before', async (t) => {
  const worker = await startWorker(dir, { ...workerConfig, stopHandBackS: 1 });
  // 30 s segments: the next boundary is far beyond the 1 s allowance.
  const job = await start(worker, 'hls-slow', hlsArgv('hls-slow', media, 0, 30));
  await job.relay.link.waitFor((m) => m.type === 'progress');
  worker.proc.kill('SIGTERM');
  t.same(await worker.exited, { code: 0, signal: null }, 'exit 0');
  await job.relay.done;
  t.match(job.relay.link.messages.at(-1), { type: 'exit', state: 'cancelled', error_code: 'JOB_CANCELLED', error: 'the worker is shutting down' });
  t.same(processGroup(job.pid), [], 'no process of the job is left');
});

t.test('the hand-back allowance stays below the unit\'s stop timeout', async (t) => {
  const { CONFIG_SCHEMA } = await import('../../core/config-schema.ts');
  const field = (CONFIG_SCHEMA.worker as { fields: Record<string, { default: unknown; max?: number }> }).fields.stopHandBackS;
  const unit = readFileSync(new URL('../../systemd/plexbeam-worker.service', import.meta.url), 'utf8');
  const stopTimeout = Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)?.[1]);
  // After the allowance: SIGTERM, SIGKILL 1.5 s later, the servers closed, logs flushed.
  t.ok(field !== undefined && (field.max ?? Infinity) + 3 <= stopTimeout, `worker.stopHandBackS ≤ ${field?.max} s leaves time before TimeoutStopSec=${stopTimeout}`);
  t.equal(field?.default, 30);
});

t.test('segment numbers come from the names by the output pattern', async (t) => {
  const { segmentNumberOf } = await import('../../worker/translate/post/segment-publisher.ts');
  t.equal(segmentNumberOf('media-%05d.ts', 'media-01816.ts'), 1816);
  t.equal(segmentNumberOf('sub/dir/chunk.%d.ts', 'chunk.7.ts'), 7, 'the folder is not part of the name; %d unpadded');
  t.equal(segmentNumberOf('media-%05d.ts', 'other-00001.ts'), null, 'a name the pattern does not fit');
  t.equal(segmentNumberOf('media.ts', 'media.ts'), null, 'a pattern without a number');
  t.equal(segmentNumberOf('a(1)+-%03d.ts', 'a(1)+-004.ts'), 4, 'regex characters in the pattern are literal');
});
