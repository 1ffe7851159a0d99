// "Never lose a file", crashes: a worker SIGKILLed mid-encode (its job requeued once it has been
// silent for 30 s, and finished on the other worker), plexbeam-server killed mid-job and started
// again, and a power cut (SIGKILL through the test-only PLEXBEAM_LIBRARY_CRASH_AT hook) after each
// step of the finish. At every point the name holds the original byte for byte (sha256) or the
// verified encode, never anything else; after the restart the leftovers are gone.
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { haveFfmpeg } from './clips.ts';
import { decodeErrors, jobRow, library, namesIn, probe, setUpCase, sha256, startLibraryWorker, startServer, waitForJob } from './helpers.ts';

if (!haveFfmpeg()) {
  t.plan(0, 'ffmpeg and ffprobe are not on PATH');
  process.exit(0);
}
t.setTimeout(600_000);

const dir = realpathSync(t.testdir({ media: {}, tx: {}, cases: {}, victim: { tx: {} } }));
const worker = await startLibraryWorker(dir, join(dir, 'media'));
t.teardown(() => worker.stop('SIGKILL'));

/** The file at `path` is the verified encode: HEVC now, the original's streams, decodes cleanly. */
function isVerifiedEncode(path: string): boolean {
  return probe(path).video === 'hevc' && decodeErrors(path) === '';
}

t.test('a worker killed mid-encode: the job is requeued after 30 s of silence and done on another worker', async (t) => {
  const victim = await startLibraryWorker(join(dir, 'victim'), join(dir, 'media'));
  t.teardown(() => victim.stop('SIGKILL'));
  // The victim first: the scheduler hands the job to the first idle worker of the fleet.
  const c = setUpCase(dir, 'worker-dies', [{ url: victim.url, name: 'victim' }, { url: worker.url, name: 'gpu' }], { seconds: 8 });
  const server = await startServer(c.root, c.config);
  t.teardown(() => server.stop());
  t.equal(library(c.root, c.config, 'encode', '--codec', 'hevc', '--min-savings', '1').status, 0);
  const first = await waitForJob(c.root, 1, (row) => row.state === 'encoding');
  t.equal(first.worker, 'victim');
  await victim.stop('SIGKILL');
  t.equal(sha256(c.path), c.sha, 'the original, byte for byte, after the worker died');
  const requeued = await server.waitForLog((l) => /^library job 1 requeued: worker victim silent for 3\d s/.test(l.msg ?? ''), 60_000);
  t.match(requeued.reason, /silent for 3\d s/);
  const done = await waitForJob(c.root, 1, (row) => row.state === 'done' || row.state === 'failed');
  t.match(done, { state: 'done', worker: 'gpu', attempts: 2 });
  t.ok(isVerifiedEncode(c.path));
  t.same(namesIn(c.media), ['Film.mkv'], "the dead worker's partial output removed");
});

t.test('plexbeam-server killed mid-job: started again, it picks the job up and finishes it', async (t) => {
  const c = setUpCase(dir, 'server-restart', [{ url: worker.url, name: 'gpu' }], { seconds: 6 });
  const server = await startServer(c.root, c.config);
  t.equal(library(c.root, c.config, 'encode', '--codec', 'hevc', '--min-savings', '1').status, 0);
  await waitForJob(c.root, 1, (row) => row.state === 'encoding');
  await server.stop('SIGKILL');
  t.equal(sha256(c.path), c.sha, 'the original, byte for byte, with the server gone');
  const again = await startServer(c.root, c.config);
  t.teardown(() => again.stop());
  const done = await waitForJob(c.root, 1, (row) => row.state === 'done' || row.state === 'failed');
  t.match(done, { state: 'done', attempts: 1, error: null });
  t.ok(isVerifiedEncode(c.path));
  t.same(namesIn(c.media), ['Film.mkv']);
});

for (const step of ['synced', 'verified', 'kept', 'renamed', 'swapped'] as const) {
  t.test(`a power cut after the finish's step "${step}": the original or the verified encode, then recovered`, async (t) => {
    const c = setUpCase(dir, `cut-${step}`, [{ url: worker.url, name: 'gpu' }]);
    t.equal(library(c.root, c.config, 'encode', '--codec', 'hevc', '--min-savings', '1', '--keep-original').status, 0);
    const cut = await startServer(c.root, c.config, { PLEXBEAM_LIBRARY_CRASH_AT: step });
    t.same(await cut.exited, { code: null, signal: 'SIGKILL' }, 'the server died at the step');
    const row = jobRow(c.root, 1);
    t.equal(row.state, 'finishing');
    t.ok(existsSync(c.path), 'the name is never missing');
    const swappedIn = step === 'renamed' || step === 'swapped';
    if (swappedIn) t.ok(isVerifiedEncode(c.path), 'after the rename: the verified encode holds the name');
    else t.equal(sha256(c.path), c.sha, 'before the rename: the original, byte for byte');
    const kept = join(c.media, 'Film.orig.mkv');
    if (step !== 'synced' && step !== 'verified') t.equal(sha256(kept), c.sha, 'the kept original is whole');

    const again = await startServer(c.root, c.config);
    t.teardown(() => again.stop());
    const done = await waitForJob(c.root, 1, (r) => r.state === 'done' || r.state === 'failed');
    t.match(done, { state: 'done', step: 'swapped', error: null });
    t.ok(isVerifiedEncode(c.path), 'the verified encode in place');
    t.equal(sha256(kept), c.sha, '--keep-original: the original beside it');
    t.same(namesIn(c.media), ['Film.mkv', 'Film.orig.mkv'], 'the temporary output gone');
    t.ok(done.saved_bytes > 0);
  });
}
