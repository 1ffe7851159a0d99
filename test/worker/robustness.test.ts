// A real worker process against what broke it or leaked from it: bad WebSocket frames with a job
// running, a throttled (SIGSTOPped) ffmpeg cancelled, X-Plex-Token in what the translation
// dropped, and /paths/stat asked about paths outside the roots.
import { readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { CAN_THROTTLE_RESPONSE, startFakePms } from '../harness/index.ts';
import { relayJob } from './fake-cartridge.ts';
import { API_KEY, makeMedia, processGroup, startWorker } from './helpers.ts';
import { maskedTextFrame, openRawWs } from './raw-ws.ts';

const dir = realpathSync(t.testdir({ media: {}, tx: { sess: {} }, outside: { 'secret.txt': 'private' } }));
makeMedia(join(dir, 'media', 'in.mkv'));
symlinkSync(join(dir, 'outside'), join(dir, 'tx', 'sess', 'escape'));
const worker = await startWorker(dir, {
  hwaccel: 'software', maxJobs: 2, mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')],
  pathMap: [{ from: '/plex/transcode', to: join(dir, 'tx') }],
});
t.teardown(() => worker.stop());

const IN = join(dir, 'media', 'in.mkv');
/** A job that runs until cancelled: the input looped at its native rate. */
const SLOW = (name: string) => ['-re', '-stream_loop', '-1', '-i', IN, '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-f', 'segment', '-segment_time', '1', `${name}-%05d.ts`];
const submit = async (argv: string[], env: Record<string, string> = {}) => {
  const { status, json } = await worker.request('POST', '/transcode', { session_id: 'robust', argv, env, cwd: join(dir, 'tx', 'sess') });
  if (status !== 202) throw new Error(`refused (${status}): ${JSON.stringify(json)}`);
  return json.job_id as string;
};
const started = (jobId: string) => worker.waitForLog((l) => l.job_id === jobId && l.msg === 'job started');
const procState = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? null;
  } catch {
    return null;
  }
};

t.test('a WebSocket frame over 4 KiB and a malformed frame close that client only: the worker and its running job live on', async (t) => {
  const jobId = await submit(SLOW('ws'));
  const pid = (await started(jobId)).ffmpeg_pid as number;
  // Counted once ffmpeg reports progress: its sandbox has finished starting by then.
  for (const deadline = Date.now() + 20_000; !((await worker.request('GET', `/status/${jobId}`)).json.progress.out_time_s > 0) && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const before = processGroup(pid);
  t.ok(before.length >= 1, `ffmpeg runs (${before.length} process(es) in its group)`);

  const big = await openRawWs(worker.port, `/ws/progress?job_id=${jobId}`, { 'x-api-key': API_KEY });
  big.socket.write(maskedTextFrame(8192));
  await big.closed;
  t.equal(big.closeCode(), 1009, 'the oversized frame is answered with close code 1009 (message too big)');

  const bad = await openRawWs(worker.port, '/ws/progress', { 'x-api-key': API_KEY });
  // A client frame without its mask, with a reserved bit set: a protocol error.
  bad.socket.write(Buffer.from([0xc1, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f]));
  await bad.closed;
  t.equal(bad.closeCode(), 1002, 'the malformed frame is answered with close code 1002 (protocol error)');

  const garbage = await openRawWs(worker.port, '/ws/progress', { 'x-api-key': API_KEY });
  garbage.socket.end(Buffer.from([0x81, 0xff, 0xff, 0xff]));
  await garbage.closed;

  t.equal((await worker.request('GET', '/health', undefined, {})).status, 200, 'the worker still answers /health');
  t.equal(worker.proc.exitCode, null, 'the worker process lives');
  t.equal((await worker.request('GET', `/status/${jobId}`)).json.state, 'running', 'the job keeps running');
  t.same(processGroup(pid).sort(), before.sort(), "the job's ffmpeg processes are the same ones");
  t.ok(worker.logs.some((l) => l.msg === 'progress WebSocket client closed for a bad frame'), 'the bad frame is logged');
  t.match(await worker.request('DELETE', `/jobs/${jobId}`), { status: 200, json: { state: 'cancelled' } });
  t.same(processGroup(pid), []);
});

t.test('a throttled ffmpeg, paused by SIGSTOP, is resumed and gone when its job is cancelled; the token in its progress URL is never logged', async (t) => {
  const pms = await startFakePms();
  t.teardown(() => pms.close());
  pms.setResponder((req) => (req.path.endsWith('/progress') && 'progress' in req.query ? CAN_THROTTLE_RESPONSE : undefined));
  const progressUrl = 'http://127.0.0.1:32400/video/:/transcode/session/robust/job/progress?X-Plex-Token=sekrit-token-1';
  const jobId = await submit(['-progressurl', progressUrl, ...SLOW('thr')], { X_PLEX_TOKEN: 'sekrit-token-2' });
  const relay = relayJob(worker.base, jobId, pms.url);
  const line = await started(jobId);
  const pid = line.ffmpeg_pid as number;
  await worker.waitForLog((l) => l.job_id === jobId && l.msg === 'Plex asked to throttle: pausing ffmpeg 100 ms per frame');
  let seenStopped = false;
  for (const deadline = Date.now() + 20_000; !seenStopped && Date.now() < deadline; ) {
    // Every process of the group (bubblewrap's and ffmpeg itself) stopped at once.
    const members = processGroup(pid);
    seenStopped = members.length > 0 && members.every((member) => procState(member) === 'T');
    if (!seenStopped) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  t.ok(seenStopped, 'the whole group was seen stopped (state T) by the throttle');

  const { status, json } = await worker.request('DELETE', `/jobs/${jobId}`);
  t.match({ status, json }, { status: 200, json: { state: 'cancelled' } });
  t.not(json.signal, 'SIGKILL', 'resumed before the SIGTERM, so it ended without the forced kill');
  t.same(processGroup(pid), [], 'no process of the job is left, stopped or otherwise');
  t.equal(procState(pid), null, 'the ffmpeg pid is gone');
  await relay.link.ended;

  const dropped = line.dropped as { option: string; value: string }[];
  t.match(dropped.find((d) => d.option === '-progressurl'), { value: /X-Plex-Token=REDACTED/ }, "the dropped -progressurl is logged with its token redacted");
  t.notOk(JSON.stringify(worker.logs).includes('sekrit'), 'no log line carries the token, from the argv or the env');
});

t.test('/paths/stat names nothing outside the roots (a symlink out of a root, a system path)', async (t) => {
  const { status, json, text } = await worker.request('POST', '/paths/stat', { paths: ['/plex/transcode/sess/escape/secret.txt', '/etc/passwd', '/plex/transcode/sess'] });
  t.equal(status, 200);
  t.match(json.results, [
    { path: '/plex/transcode/sess/escape/secret.txt', worker_path: null, root: null, exists: null },
    { path: '/etc/passwd', worker_path: null, root: null },
    { path: '/plex/transcode/sess', worker_path: join(dir, 'tx', 'sess'), root: 'transcode', exists: true },
  ]);
  t.notOk(text.includes(join(dir, 'outside')), 'the real path behind the symlink is not in the answer');
});

t.test('/metrics shows the bytes all links keep', async (t) => {
  const { text } = await worker.request('GET', '/metrics');
  const bytes = Number(/^plexbeam_worker_link_buffer_bytes (\d+)$/m.exec(text)?.[1]);
  t.ok(Number.isInteger(bytes) && bytes < 64 << 20, `a gauge under the 64 MiB bound (${bytes})`);
});
