// The link protocol from the cartridge's side, against a scripted worker: replay order and
// streaming, Plex's answers going back (canThrottle), only the argv's origins, reopening a dropped
// link without losing or repeating anything, stderr, and the exit taken over (code or signal).
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import t from 'tap';
import { CAN_THROTTLE_RESPONSE, startFakePms } from '../harness/index.ts';
import { readFakeRealCalls } from '../harness/index.ts';
import { API_KEY, TOKEN, installShim, plexEnv, runShim, writeConfig } from './helpers.ts';
import { line, startFakeWorker } from './workers.ts';

const dir = realpathSync(t.testdir({ tx: { s: {} } }));
const cwd = join(dir, 'tx', 's');
const plex = await installShim(dir);
const pms = await startFakePms({ responder: (req) => (req.path.endsWith('/progress') ? CAN_THROTTLE_RESPONSE : undefined) });
t.teardown(() => pms.close());
const P = '/video/:/transcode/session/r/1';
const argv = ['-i', '/media/in.mkv', '-progressurl', `${pms.url}${P}/progress`, '-c:v', 'libx264', '-f', 'segment', '-segment_list', `${pms.url}${P}/manifest?X-Plex-Http-Pipeline=infinite`, 'media-%05d.ts'];
const b64 = (text: string) => Buffer.from(text).toString('base64');
const hello = line({ type: 'hello', protocol: 1, job_id: 'job-1', session_id: 's', state: 'running' });

async function relay(link: (res: ServerResponse, after: number, opening: number) => void, extra: Record<string, unknown> = {}) {
  const worker = await startFakeWorker({ link });
  const config = writeConfig(dir, { workers: [{ url: worker.url, apiKey: API_KEY, name: 'fake' }], ...extra });
  const first = pms.requests.length;
  const run = await runShim(plex, argv, { env: plexEnv({ PLEXBEAM_CONFIG: config }), cwd }).finally(() => worker.close());
  return { run, worker, requests: pms.requests.slice(first), replies: worker.requests.filter((r) => r.url.endsWith('/callback-replies')).map((r) => r.body) };
}

t.test('callbacks are replayed in order, the segment list streamed, and Plex answers go back to the worker', async (t) => {
  const { run, requests, replies } = await relay((res) => {
    res.write(hello);
    res.write(line({ type: 'callback', id: 1, seq: 1, origin: pms.url, method: 'PUT', path: `${P}/progress`, query: 'status=startup', headers: { 'user-agent': 'Lavf' }, end: true }));
    res.write(line({ type: 'callback', id: 2, seq: 2, origin: pms.url, method: 'POST', path: `${P}/manifest`, query: 'X-Plex-Http-Pipeline=infinite', headers: {}, end: false }));
    res.write(line({ type: 'callback_data', id: 3, seq: 2, body_b64: b64('media-00000.ts,0,1\n'), end: false }));
    res.write(line({ type: 'stderr', id: 4, data: 'frame=   24 fps=0.0\n' }));
    // The list stays open while the next requests go and come back: Plex's endless POST.
    setTimeout(() => {
      res.write(line({ type: 'callback', id: 5, seq: 3, origin: pms.url, method: 'PUT', path: `${P}/progress`, query: 'progress=50.0', headers: {}, end: true }));
      res.write(line({ type: 'callback_data', id: 6, seq: 2, body_b64: b64('media-00001.ts,1,2\n'), end: true }));
      res.end(line({ type: 'exit', id: 7, state: 'completed', code: 0, signal: null, error: null }));
    }, 300);
  });
  t.equal(run.code, 0, run.stderr);
  t.equal(run.stderr, 'frame=   24 fps=0.0\n', "ffmpeg's stderr, nothing else");
  t.same(requests.map((r) => `${r.method} ${r.path}?${r.rawQuery}`), [`PUT ${P}/progress?status=startup`, `POST ${P}/manifest?X-Plex-Http-Pipeline=infinite`, `PUT ${P}/progress?progress=50.0`]);
  const list = requests[1]!;
  t.equal(list.bodyText, 'media-00000.ts,0,1\nmedia-00001.ts,1,2\n');
  t.ok(list.chunks[0]!.time < requests[2]!.time, 'the first segment line reached Plex before the later request started');
  t.ok(requests.every((r) => r.headers['x-plex-token'] === TOKEN));
  t.equal(requests[0]?.headers['user-agent'], 'Lavf', "the request's own headers are kept");
  const bySeq = new Map(replies.map((r) => [r.seq, r]));
  t.match(bySeq.get(1), { status: 200, content_type: /xml/ });
  t.match(Buffer.from(bySeq.get(3).body_b64, 'base64').toString(), /canThrottle="1"/, "Plex's canThrottle answer reached the worker");
  t.match(bySeq.get(2), { status: 200 });
});

t.test('a request to an origin the argv does not name is never made', async (t) => {
  const { requests, replies, run } = await relay((res) => {
    res.write(hello);
    res.write(line({ type: 'callback', id: 1, seq: 1, origin: 'http://127.0.0.1:22', method: 'GET', path: '/', query: '', headers: {}, end: true }));
    res.end(line({ type: 'exit', id: 2, state: 'completed', code: 0, signal: null }));
  });
  t.equal(run.code, 0);
  t.same(requests, []);
  t.match(replies, [{ seq: 1, status: 502 }]);
});

t.test('a dropped link is reopened after the last message seen: nothing lost, nothing twice', async (t) => {
  const afters: number[] = [];
  const { run, requests } = await relay((res, after, opening) => {
    afters.push(after);
    res.write(hello);
    if (opening === 1) {
      res.write(line({ type: 'callback', id: 1, seq: 1, origin: pms.url, method: 'PUT', path: `${P}/progress`, query: 'n=1', headers: {}, end: true }));
      res.write(line({ type: 'stderr', id: 2, data: 'one\n' }));
      // ffmpeg is transcoding: its exit code below is the transcode's own.
      res.write(line({ type: 'progress', id: 3, out_time_s: 1, speed: 1, fps: 24 }));
      return void setTimeout(() => res.destroy(), 100);
    }
    // A worker replays what came after `after`; this one also resends id 2, which must be skipped.
    res.write(line({ type: 'stderr', id: 2, data: 'one\n' }));
    res.write(line({ type: 'callback', id: 4, seq: 2, origin: pms.url, method: 'PUT', path: `${P}/progress`, query: 'n=2', headers: {}, end: true }));
    res.write(line({ type: 'gap', from: 5, to: 5 }));
    res.end(line({ type: 'exit', id: 6, state: 'failed', code: 187, signal: null, error: 'ffmpeg exited with code 187' }));
  });
  t.same(afters, [0, 3]);
  t.equal(run.code, 187, "ffmpeg's exit code");
  t.match(run.stderr, /^one\nplexbeam: the worker dropped link messages 5-5 before the cartridge read them\n$/);
  t.same(requests.map((r) => r.rawQuery), ['n=1', 'n=2']);
});

t.test('a malformed link line is skipped and said once, with why', async (t) => {
  const { run, requests } = await relay((res) => {
    res.write(hello);
    res.write('{"type": "callback", "id": 1, tru\n');
    res.write('[1, 2, 3]\n');
    res.write(line({ type: 'progress', id: 2, out_time_s: 1, speed: 1, fps: 24 }));
    res.write(line({ type: 'callback', id: 3, seq: 1, origin: pms.url, method: 'PUT', path: `${P}/progress`, query: 'n=1', headers: {}, end: true }));
    res.end(line({ type: 'exit', id: 4, state: 'completed', code: 0, signal: null }));
  });
  t.equal(run.code, 0, 'the job still ends as the worker says');
  t.match(run.stderr, /^plexbeam: skipped a malformed line from the worker's link for job job-1 after message 0 \(\d+ bytes: .*JSON.*\)\n$/, 'one line, with the reason and without the content');
  t.same(requests.map((r) => r.rawQuery), ['n=1'], 'the messages after it are relayed');
});

t.test('a job that fails on the worker before any output runs on Plex\'s transcoder instead', async (t) => {
  const { run, requests } = await relay((res) => {
    res.write(hello);
    // Plex's opening progress requests are not output: Plex's transcoder sends its own.
    res.write(line({ type: 'callback', id: 1, seq: 1, origin: pms.url, method: 'PUT', path: `${P}/progress`, query: 'status=startup', headers: {}, end: true }));
    res.write(line({ type: 'stderr', id: 2, data: 'Error opening output files: Invalid argument\n' }));
    res.end(line({ type: 'exit', id: 3, state: 'failed', code: 1, signal: null, error: 'ffmpeg exited with code 1' }));
  });
  t.equal(run.code, 0, "the stand-in Plex Transcoder.real's exit code");
  t.match(run.stderr, /Error opening output files[\s\S]*plexbeam: fake failed the job before any output: ffmpeg exited with code 1; running Plex Transcoder\.real\n[\s\S]*stand-in: ok/);
  t.same(requests.map((r) => r.rawQuery), ['status=startup']);
});

const killedMidTranscode = (res: ServerResponse) => {
  res.write(hello);
  res.write(line({ type: 'progress', id: 1, out_time_s: 1, speed: 1, fps: 24 }));
  res.end(line({ type: 'exit', id: 2, state: 'failed', code: null, signal: 'SIGKILL', error: 'ffmpeg was killed by SIGKILL' }));
};

t.test('a job killed by a signal on the worker mid-transcode, with nowhere to go on: the shim dies of the same signal', async (t) => {
  const { run } = await relay(killedMidTranscode, { fallbackToLocal: false });
  t.same({ code: run.code, signal: run.signal }, { code: null, signal: 'SIGKILL' });
  t.match(run.stderr, /plexbeam: ffmpeg was killed by SIGKILL; going on from segment 0 \(0 s\)\nplexbeam: cannot go on with the transcode: no other worker could take it, and fallbackToLocal is false\n/);
});

t.test("a job killed by a signal on the worker mid-transcode goes on with Plex's transcoder, from the first segment Plex lacks", async (t) => {
  const { run } = await relay(killedMidTranscode);
  t.equal(run.code, 0, run.stderr);
  const calls = await readFakeRealCalls(plex.realLog);
  const resumed = calls.at(-1)?.argv ?? [];
  t.same(resumed.slice(0, 3), ['-ss', '0', '-i'], 'the input seeks to the first segment Plex lacks (none was listed: 0)');
  t.same(resumed.slice(resumed.indexOf('-segment_start_number'), resumed.indexOf('-segment_start_number') + 2), ['-segment_start_number', '0']);
});


t.test('at most 2 resumes: three workers that each stall after one more segment; each resumed run starts after the last segment Plex had', async (t) => {
  const fakes = await Promise.all([0, 1, 2].map(async (k) => {
    let segment = -1;
    const fake = await startFakeWorker({
      link: (res) => {
        // Each worker gets the argv resumed where the previous one stopped: it lists one more segment, then stalls.
        const started = fake.requests.find((r) => r.url === '/transcode')?.body?.argv as string[] | undefined;
        const from = Number(started?.[started.indexOf('-segment_start_number') + 1] ?? 0);
        segment = Number.isFinite(from) ? from : 0;
        res.write(hello);
        res.write(line({ type: 'callback', id: 1, seq: 1, origin: pms.url, method: 'POST', path: `${P}/manifest`, query: '', headers: {}, end: false }));
        res.write(line({ type: 'callback_data', id: 2, seq: 1, body_b64: b64(`media-${String(segment).padStart(5, '0')}.ts,${segment},${segment + 1}\n`), end: true }));
        setTimeout(() => res.end(line({ type: 'exit', id: 3, state: 'failed', code: null, signal: null, error: 'no progress for 30 s', error_code: 'JOB_STALLED' })), 200);
      },
    });
    t.teardown(() => fake.close());
    return { fake, name: `w${k}`, segment: () => segment };
  }));
  const resumable = [...argv.slice(0, -1), '-segment_time', '1', argv.at(-1) as string];
  const config = writeConfig(dir, { workers: fakes.map((f, k) => ({ url: f.fake.url, apiKey: API_KEY, name: f.name, weight: 3 - k })) });
  const run = await runShim(plex, resumable, { env: plexEnv({ PLEXBEAM_CONFIG: config }), cwd });
  t.equal(run.code, 1, 'the third loss fails as the transcode would');
  t.same(fakes.map((f) => f.segment()), [0, 1, 2], 'each run started at the segment after the last one listed');
  t.match(run.stderr, /going on from segment 1 \(1 s\)[\s\S]*going on from segment 2 \(2 s\)[\s\S]*lost its worker 3 times; giving up/);
  t.equal((run.stderr.match(/going on/g) ?? []).length, 2, 'two resumes, no third');
});
