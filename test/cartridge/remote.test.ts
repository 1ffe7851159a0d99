// End to end, remote: the installed shim, a real worker, real ffmpeg, a fake Plex Media Server.
// Plex must not be able to tell the remote run from a local one: same callbacks, same segments,
// ffmpeg's stderr, ffmpeg's exit code.
import { readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { startFakePms, CAN_THROTTLE_RESPONSE, type RecordedRequest } from '../harness/index.ts';
import { API_KEY, TOKEN, installShim, makeMedia, plexEnv, readSessions, runShim, writeConfig } from './helpers.ts';
import { startRealWorker } from './workers.ts';

const dir = realpathSync(t.testdir({ tx: { hls: {}, hls_local: {}, seg: {}, seg_local: {}, failing: {}, failing_local: {}, throttle: {} } }));
const IN = makeMedia(join(dir, 'media', 'in.mkv'));
const worker = await startRealWorker(dir, { mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')] });
t.teardown(() => worker.stop());
const pms = await startFakePms();
t.teardown(() => pms.close());
const plex = await installShim(dir);
const remoteConfig = writeConfig(dir, { workers: [{ url: worker.url, apiKey: API_KEY, name: 'gpu-box' }] });
const localConfig = writeConfig(dir, { workers: [] });
const SESSION = '/video/:/transcode/session/3f1a/77b2';

/** HLS with PUTs (segments, then the playlist, each a request): ffmpeg makes every callback itself. */
const hlsArgv = [
  '-i', IN, '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '24', '-c:a', 'aac', '-f', 'hls', '-hls_time', '1', '-method', 'PUT',
  `${pms.url}${SESSION}/hls/index.m3u8?X-Plex-Http-Pipeline=infinite`,
];
/** Plex's own shape: `-f segment` files in the session folder and the segment-list POST. */
const segmentArgv = [
  '-i', IN, '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '24', '-c:a', 'aac', '-f', 'segment', '-segment_time', '1',
  '-segment_list', `${pms.url}${SESSION}/manifest?X-Plex-Http-Pipeline=infinite`, '-segment_list_type', 'csv', 'media-%05d.ts',
];
const shape = (r: RecordedRequest) => ({ method: r.method, path: r.path, query: r.rawQuery, body: r.body.toString('base64'), complete: r.complete });
const segments = (name: string) => readdirSync(join(dir, 'tx', name)).filter((f) => f.startsWith('media-')).sort();

/**
 * Resolves once the fake PMS has had no new request for 300 ms: ffmpeg's last request can still
 * be on its way to the test's server when the process that sent it has exited (a loaded machine).
 */
async function settled(): Promise<void> {
  for (let seen = -1; seen !== pms.requests.length;) {
    seen = pms.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** Runs `argv` through the shim in session folder `name`, remotely or with Plex's transcoder (stock ffmpeg). */
async function runBoth(argv: string[], name: string) {
  const first = pms.requests.length;
  const remote = await runShim(plex, argv, { env: plexEnv({ PLEXBEAM_CONFIG: remoteConfig }), cwd: join(dir, 'tx', name) });
  await settled();
  const middle = pms.requests.length;
  const local = await runShim(plex, argv, { env: plexEnv({ PLEXBEAM_CONFIG: localConfig, PLEXBEAM_FAKE_REAL_MODE: 'ffmpeg' }), cwd: join(dir, 'tx', `${name}_local`) });
  await settled();
  return { remote, local, remoteRequests: pms.requests.slice(first, middle), localRequests: pms.requests.slice(middle) };
}

t.test('HLS through the worker looks to Plex exactly like a local run of the same argv', async (t) => {
  const { remote, local, remoteRequests, localRequests } = await runBoth(hlsArgv, 'hls');
  t.equal(remote.code, 0, remote.stderr);
  t.equal(local.code, 0, local.stderr);
  t.ok(remoteRequests.length >= 8, 'Plex got its callbacks');
  t.same(remoteRequests.map(shape), localRequests.map(shape), 'the same requests in the same order: method, path, query and body');
  t.same(remoteRequests.slice(0, 2).map((r) => `${r.method} ${r.path}`), [`PUT ${SESSION}/hls/index0.ts`, `PUT ${SESSION}/hls/index.m3u8`]);
  t.ok(remoteRequests.every((r) => r.headers['x-plex-token'] === TOKEN), 'each replayed request carries X-Plex-Token, added on the Plex machine');
  t.match(remote.stderr, /Stream mapping:[\s\S]*libx264/, "ffmpeg's stderr is mirrored");
  t.notMatch(remote.stderr, /plexbeam:/, 'and nothing of the cartridge');
  const row = (await readSessions(dir)).find((r) => r.cwd === join(dir, 'tx', 'hls'));
  t.match(row, { kind: 'video-transcode', decision: 'remote', reason: null, worker: 'gpu-box', exitCode: 0, protocol: 'hls', videoCodecOut: 'libx264' });
});

t.test("Plex's segment shape: the segments in the session folder, the segment list POSTed to Plex", async (t) => {
  const { remote, local, remoteRequests, localRequests } = await runBoth(segmentArgv, 'seg');
  t.equal(remote.code, 0, remote.stderr);
  t.equal(local.code, 0, local.stderr);
  t.same(segments('seg'), segments('seg_local'), 'the same segments, written where the argv says');
  t.ok(segments('seg').length >= 4);
  // The worker's translation publishes the list Plex's way; whatever it sends, Plex gets all of it.
  const lists = (requests: RecordedRequest[]) => requests.filter((r) => r.path === `${SESSION}/manifest`);
  t.ok(lists(remoteRequests).length >= 1 && lists(remoteRequests).every((r) => r.method === 'POST' && r.rawQuery === 'X-Plex-Http-Pipeline=infinite' && r.complete));
  const listed = (requests: RecordedRequest[]) => [...new Set(lists(requests).flatMap((r) => r.bodyText.match(/media-\d+\.ts/g) ?? []))].sort();
  t.same(listed(remoteRequests), listed(localRequests), 'every segment listed, as a local run lists them');
  t.same(listed(remoteRequests), segments('seg'));
  const row = (await readSessions(dir)).find((r) => r.cwd === join(dir, 'tx', 'seg'));
  t.ok(row && row.dispatchAt! >= row.startedAt && row.firstSegmentAt! >= row.dispatchAt! && row.endedAt! >= row.firstSegmentAt!, 'start ≤ dispatch ≤ first segment ≤ end');
  t.match((await readSessions(dir)).find((r) => r.cwd === join(dir, 'tx', 'seg_local')), { decision: 'fallback', reason: 'no worker configured', exitCode: 0 });
});

t.test("a transcode that fails on the worker before any output runs on Plex's transcoder, and fails there the same way", async (t) => {
  const argv = ['-i', IN, '-t', '1', '-c:v', 'libx264', '-profile:v', 'no-such-profile', '-f', 'mp4', 'out.mp4'];
  // The stand-in runs stock ffmpeg for both: the fallback of the remote run, and the local run.
  const remote = await runShim(plex, argv, { env: plexEnv({ PLEXBEAM_CONFIG: remoteConfig, PLEXBEAM_FAKE_REAL_MODE: 'ffmpeg' }), cwd: join(dir, 'tx', 'failing') });
  const local = await runShim(plex, argv, { env: plexEnv({ PLEXBEAM_CONFIG: localConfig, PLEXBEAM_FAKE_REAL_MODE: 'ffmpeg' }), cwd: join(dir, 'tx', 'failing_local') });
  t.not(local.code, 0);
  t.equal(remote.code, local.code, `exit code ${local.code}, as ffmpeg's`);
  t.match(remote.stderr, /no-such-profile|Error setting profile/i);
  t.match(remote.stderr, /plexbeam: gpu-box failed the job before any output: ffmpeg exited with code \d+; running Plex Transcoder\.real\n/);
  const row = (await readSessions(dir)).find((r) => r.cwd === join(dir, 'tx', 'failing'));
  t.match(row, { decision: 'fallback', fallbackReason: 'failed-before-output', worker: 'gpu-box', exitCode: local.code });
});

t.test("Plex's answers reach the worker (canThrottle) and the token never leaves", async (t) => {
  pms.setResponder(() => CAN_THROTTLE_RESPONSE);
  t.teardown(() => pms.setResponder(undefined));
  const run = await runShim(plex, hlsArgv, { env: plexEnv({ PLEXBEAM_CONFIG: remoteConfig }), cwd: join(dir, 'tx', 'throttle') });
  t.equal(run.code, 0, run.stderr);
  const replies = worker.logs.filter((l) => l.msg === 'callback reply');
  t.ok(replies.length > 0 && replies.every((l) => l.status === 200), "the cartridge posted Plex's answers back");
  const started = worker.logs.filter((l) => l.msg === 'job started');
  t.notOk(JSON.stringify(worker.logs).includes(TOKEN), 'the worker never saw the token');
  t.ok(started.length >= 1);
});
