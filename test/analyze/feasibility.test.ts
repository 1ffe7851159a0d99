import { createServer, type Server } from 'node:http';
import t, { type Test } from 'tap';
import type { WorkerEntry } from '../../core/config.ts';
import { openSessionLog } from '../../core/session-log/index.ts';
import { gatherCapabilities } from '../../core/feasibility/capabilities.ts';
import { computeFeasibility } from '../../core/feasibility/compute.ts';
import { createInputCheck } from '../../core/feasibility/input-reach.ts';
import { runAnalyze } from '../../analyze/run.ts';
import type { FeasibilityReport } from '../../analyze/types.ts';
import { writeFixture } from './fixture.ts';

const MAPPED = { mediaRoots: ['/mnt/media'], transcodeRoots: [], pathMap: [{ from: '/data/media', to: '/mnt/media' }] };
const NOWHERE = { mediaRoots: [], transcodeRoots: [], pathMap: [] };

/** A worker that answers GET /health with `encoders`, only with the right X-API-Key. */
async function fakeWorker(t: Test, encoders: string[], hwaccel = 'nvenc'): Promise<string> {
  const server: Server = createServer((req, res) => {
    if (req.url !== '/health' || req.headers['x-api-key'] !== 'key') {
      res.writeHead(401).end('{"error":"unauthorized"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', version: '0.1.0', hwaccel, encoders, jobs: { running: 0, queued: 0, max: 2 } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** A URL nothing listens on. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

async function feasibility(t: Test, options: { workers: WorkerEntry[]; worker?: typeof MAPPED; capabilities?: boolean; allowHttpInputs?: boolean }): Promise<FeasibilityReport> {
  const log = openSessionLog(await writeFixture(t.testdir(), { capabilities: options.capabilities }), { readonly: true });
  t.teardown(() => log.close());
  const { capabilities } = await gatherCapabilities(options.workers, log.listWorkerCapabilities(), 2000);
  return computeFeasibility(log.db, {
    dbPath: log.path,
    since: null,
    capabilities,
    inputCheck: createInputCheck(options.worker ?? MAPPED),
    allowHttpInputs: options.allowHttpInputs ?? false,
    healthTimeoutMs: 500,
  });
}

const classOf = (report: FeasibilityReport, label: string, input = 'mapped') => report.classes.find((c) => c.class === label && c.input === input);
const codes = (report: FeasibilityReport, label: string, input?: string) => classOf(report, label, input)?.reasons.map((r) => `${r.blocking ? '!' : ''}${r.code}`);

t.test('every blocking case, with last-known capabilities of workers that do not answer', async (t) => {
  const dead = await deadUrl();
  const report = await feasibility(t, { workers: [{ url: dead, apiKey: 'key', name: 'gpu-box' }, { url: `${dead}/`, apiKey: 'key', name: 'nuc' }] });
  t.same(report.workers.map((w) => [w.worker, w.source, w.encoders]), [['gpu-box', 'last-known', ['h264_nvenc']], ['nuc', 'last-known', ['h264_vaapi']]]);
  t.match(report.workers[0]?.error, /unreachable \(ECONNREFUSED\)/);
  t.same(report.input_check.mode, 'roots');

  t.same(codes(report, 'video-transcode h264→libx264'), ['remote-failed-before']);
  t.same(codes(report, 'video-transcode hevc→libx264 +tone-mapping'), ['hdr-tone-mapping']);
  t.same(codes(report, 'video-transcode h264→libx264 +burn-in'), ['subtitle-burn-in']);
  t.same(codes(report, 'optimize h264→libx264'), []);
  t.same(codes(report, 'video-transcode h264→hevc'), ['!codec-unsupported:hevc', 'remote-failed-before']);
  t.same(codes(report, 'video-transcode hevc→libx264 +tone-mapping', 'unmapped'), ['!input-unmapped', 'hdr-tone-mapping', 'remote-failed-before']);
  t.same(codes(report, 'video-transcode mpeg2video→libx264', 'loopback-url'), ['!input-loopback-url']);
  t.same(codes(report, 'video-transcode h264→libx264', 'url'), ['!input-url']);
  t.same(codes(report, 'remux h264→copy'), ['!not-worth-moving:remux']);
  t.same(codes(report, 'audio-only'), ['!not-worth-moving:audio-only']);
  t.same(codes(report, 'detection h264'), ['!not-worth-moving:detection']);
  t.same(codes(report, 'capability-query', 'none'), ['!not-worth-moving:capability-query']);
  t.same(codes(report, 'unknown', 'none'), ['!unclassified']);
  t.match(classOf(report, 'video-transcode h264→libx264')?.reasons[0]?.text, '1 of 4 sessions wanted a worker and fell back: no-healthy-worker (1)');
  t.match(classOf(report, 'video-transcode h264→hevc')?.reasons[0]?.text, 'no worker can encode hevc: the probed encoders of gpu-box, nuc have none for it');
  t.match(classOf(report, 'video-transcode h264→libx264 +burn-in')?.reasons[0]?.text, /inlineass becomes stock subtitles\/ass.*GPU→CPU→GPU/);
  t.match(classOf(report, 'video-transcode hevc→libx264 +tone-mapping')?.reasons[0]?.text, /zscale \+ tonemap/);

  t.same(classOf(report, 'video-transcode h264→libx264'), {
    class: 'video-transcode h264→libx264', kind: 'video-transcode', video_codec_in: 'h264', video_codec_out: 'libx264', subtitle_burn_in: false, tone_mapping: false,
    input: 'mapped', count: 4, transcode_s: 1000, share: 0.0796, by_decision: { remote: 1, local: 1, fallback: 1 }, feasible: true, movable_s: 400, reasons: classOf(report, 'video-transcode h264→libx264')?.reasons,
  });
  t.equal(report.total, 16);
  t.equal(report.transcode_s, 12562.1);
  t.equal(report.remote_s, 3100);
  t.equal(report.movable_s, 400);
  t.equal(report.remote_share, 0.2468);
  t.equal(report.movable_share, 0.0318);
  t.equal(report.feasible_sessions, 7);
  t.equal(report.blocked_sessions, 9);
  t.match(report.reasons.find((r) => r.code === 'remote-failed-before'), { blocking: false, sessions: 3, transcode_s: 2700 });
  t.match(report.reasons.find((r) => r.code === 'input-unmapped'), { blocking: true, sessions: 1, transcode_s: 1800 });

  t.same(report.recommendations.map((r) => [r.code, r.sessions, r.transcode_s]), [
    ['map-path:/mnt/archive/4k', 1, 1800],
    ['enable-encoder:hevc', 1, 900],
    ['allow-http-inputs', 1, 100],
    ['check-reachability', 1, 0],
    ['check-worker:gpu-box', 0, 0],
    ['check-worker:nuc', 0, 0],
  ]);
  t.match(report.recommendations[0]?.text, 'add a pathMap entry for /mnt/archive/4k: { "from": "/mnt/archive/4k", "to": "<where the worker mounts it>" }');
  t.match(report.recommendations[1]?.text, 'enable HEVC encoding on a worker: none of the probed workers (gpu-box, nuc) has a hevc encoder');
});

t.test('live capabilities replace the stored ones: with an HEVC encoder the h264→hevc class can move', async (t) => {
  const url = await fakeWorker(t, ['h264_nvenc', 'hevc_nvenc']);
  const report = await feasibility(t, { workers: [{ url, apiKey: 'key', name: 'gpu-box' }] });
  t.match(report.workers, [{ worker: 'gpu-box', source: 'live', encoders: ['h264_nvenc', 'hevc_nvenc'], error: null }, { worker: 'nuc', configured: false, source: 'last-known' }]);
  t.same(codes(report, 'video-transcode h264→hevc'), ['remote-failed-before']);
  t.equal(report.movable_s, 1300);
  t.notOk(report.recommendations.some((r) => r.code.startsWith('enable-encoder') || r.code.startsWith('check-worker')));
  t.match(report.recommendations.find((r) => r.code === 'add-capacity'), { sessions: 1, transcode_s: 900 }, 'the 503 fallback now counts: its class can move');
});

t.test('a wrong API key or no answer falls back to the last known capabilities', async (t) => {
  const url = await fakeWorker(t, ['hevc_nvenc']);
  const report = await feasibility(t, { workers: [{ url, apiKey: 'wrong', name: 'gpu-box' }] });
  t.match(report.workers[0], { source: 'last-known', encoders: ['h264_nvenc'], error: /HTTP 401/ });
});

t.test('software-only encoders, unknown capabilities, no worker at all', async (t) => {
  const software = await feasibility(t, { workers: [{ url: await fakeWorker(t, ['libx264'], 'software'), apiKey: 'key', name: 'gpu-box' }] });
  t.same(codes(software, 'video-transcode h264→libx264'), ['software-encode:h264', 'remote-failed-before']);

  const unknown = await feasibility(t, { workers: [{ url: await deadUrl(), apiKey: 'key', name: 'gpu-box' }], capabilities: false });
  t.same(codes(unknown, 'video-transcode h264→hevc'), ['worker-capabilities-unknown', 'remote-failed-before']);
  t.match(unknown.recommendations.find((r) => r.code === 'check-worker:gpu-box')?.text, 'has never answered before');

  const none = await feasibility(t, { workers: [] });
  t.same(codes(none, 'video-transcode h264→libx264'), ['!no-worker-configured', 'remote-failed-before']);
  t.equal(none.movable_s, 0);
  t.match(none.recommendations[0], { code: 'add-worker', sessions: 8, transcode_s: 4400 }, 'every transcode class, h264→hevc included: no capabilities to check');
});

t.test('without pathMap or roots in this config, inputs are unknown and not blocking', async (t) => {
  const report = await feasibility(t, { workers: [{ url: await fakeWorker(t, ['h264_nvenc']), apiKey: 'key', name: 'gpu-box' }], worker: NOWHERE, allowHttpInputs: true });
  t.equal(report.input_check.mode, 'unknown');
  t.same(codes(report, 'video-transcode hevc→libx264 +tone-mapping', 'unknown'), ['input-mapping-unknown', 'hdr-tone-mapping', 'remote-failed-before']);
  t.same(codes(report, 'video-transcode h264→libx264', 'url'), [], 'worker.allowHttpInputs lets network inputs move');
  t.match(report.recommendations.find((r) => r.code === 'describe-worker-paths'), { sessions: 9 });
});

t.test('runAnalyze keeps live capabilities in a writable log for next time', async (t) => {
  const url = await fakeWorker(t, ['h264_nvenc', 'av1_nvenc']);
  const dir = t.testdir();
  const dbPath = await writeFixture(dir);
  let stdout = '';
  const code = await runAnalyze(
    { view: 'feasibility', dbPath, since: null, json: true, config: { workers: [{ url, apiKey: 'key', name: 'gpu-box' }], healthTimeoutMs: 2000, worker: { ...MAPPED, allowHttpInputs: false } as never } },
    { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true }, env: {} },
  );
  t.equal(code, 0);
  t.match(JSON.parse(stdout), { workers: [{ worker: 'gpu-box', source: 'live' }] });
  const log = openSessionLog(dbPath, { readonly: true });
  t.teardown(() => log.close());
  t.match(log.listWorkerCapabilities().find((row) => row.worker === 'gpu-box')?.health, { encoders: ['h264_nvenc', 'av1_nvenc'] });
});
