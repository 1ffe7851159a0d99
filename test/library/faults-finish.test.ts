// "Never lose a file", the Plex side's refusals: an encode that saves too little, a file changed
// during its encode, a file Plex has open, and a disk that fills up. Each runs the built CLI, the
// real `plexbeam server` and a real loopback worker, and leaves the file byte-identical (sha256) to
// what it was (or to what the user made of it), with no temporary output beside it.
import { appendFileSync, mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { spawnOwned } from '../cartridge/helpers.ts';
import { haveFfmpeg, makeClip } from './clips.ts';
import { fullDiskCase, jobRow, library, namesIn, probe, setUpCase, sha256, startLibraryWorker, startServer, tmpfsWorks, waitForJob, writeServerConfig } from './helpers.ts';

if (!haveFfmpeg()) {
  t.plan(0, 'ffmpeg and ffprobe are not on PATH');
  process.exit(0);
}
t.setTimeout(400_000);

const dir = realpathSync(t.testdir({ media: {}, tx: {}, cases: {}, off: { tx: {} } }));
const worker = await startLibraryWorker(dir, join(dir, 'media'));
t.teardown(() => worker.stop('SIGKILL'));
const workers = [{ url: worker.url, name: 'gpu' }];

t.test('an encode that saves less than --min-savings is discarded and the file marked not worthwhile', async (t) => {
  const c = setUpCase(dir, 'small-saving', workers);
  const server = await startServer(c.root, c.config);
  t.teardown(() => server.stop());
  const run = library(c.root, c.config, 'encode', '--codec', 'hevc', '--min-savings', '99', '--wait');
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout, `not-worthwhile  ${c.path} (saves `);
  t.match(jobRow(c.root, 1), { state: 'not-worthwhile', error: /^saves [\d.]+ % \(\d+ → \d+ bytes\), less than --min-savings 99 %$/ });
  t.equal(sha256(c.path), c.sha, 'the original, byte for byte');
  t.same(namesIn(c.media), ['Film.mkv'], 'the encode removed');
  const list = JSON.parse(library(c.root, c.config, 'list', '--json').stdout);
  t.match(list.files[0], { state: 'not-worthwhile', reason: /less than --min-savings 99 %/ });
  t.match(list.totals, { not_worthwhile: 1, candidates: 0 });
  t.same(JSON.parse(library(c.root, c.config, 'encode', '--json').stdout).queued, [], 'not queued again');
});

t.test('a file that changed during its encode is not replaced', async (t) => {
  const c = setUpCase(dir, 'changed', workers, { seconds: 8 });
  const server = await startServer(c.root, c.config);
  t.teardown(() => server.stop());
  t.equal(library(c.root, c.config, 'encode', '--codec', 'hevc', '--min-savings', '1').status, 0);
  await waitForJob(c.root, 1, (row) => row.state === 'encoding');
  appendFileSync(c.path, Buffer.alloc(4096, 1)); // the user (or a tagger) writes to it meanwhile
  const changed = sha256(c.path);
  const row = await waitForJob(c.root, 1, (r) => r.state === 'failed' || r.state === 'done');
  t.match(row, { state: 'failed', error: /^the original changed during the encode \(its size changed \(\d+ → \d+ bytes\)\); not replaced$/ });
  t.equal(sha256(c.path), changed, 'the file as the user left it');
  t.same(namesIn(c.media), ['Film.mkv'], 'the encode removed');
  t.match(JSON.parse(library(c.root, c.config, 'list', '--json').stdout).files[0], { state: 'failed', reason: /the original changed during the encode/ });
});

t.test('a file Plex has open is not replaced while it is open; it is once it is closed', async (t) => {
  const c = setUpCase(dir, 'playing', workers);
  // A reader holding the file open, as Plex Media Server does for a direct play.
  const reader = spawnOwned('sh', ['-c', 'exec 3<"$1"; exec sleep 300', 'sh', c.path], { stdio: 'ignore' });
  t.teardown(() => reader.kill('SIGKILL'));
  const server = await startServer(c.root, c.config);
  t.teardown(() => server.stop());
  t.equal(library(c.root, c.config, 'encode', '--codec', 'hevc', '--min-savings', '1').status, 0);
  const waiting = await waitForJob(c.root, 1, (row) => row.state === 'finishing' && /^waiting to replace/.test(row.error ?? ''));
  t.match(waiting.error, `waiting to replace: it is open in process ${reader.pid} (Plex may be playing it)`);
  t.equal(sha256(c.path), c.sha, 'the original, byte for byte, while it plays');
  t.ok(namesIn(c.media).some((name) => name.includes('.plexbeam-')), 'the verified encode waits beside it');
  t.match(JSON.parse(library(c.root, c.config, 'list', '--json').stdout).files[0], { state: 'encoding', reason: /waiting to replace/ });
  reader.kill('SIGKILL');
  // Tried again after the wait (30 s).
  const done = await waitForJob(c.root, 1, (row) => row.state === 'done', 90_000);
  t.equal(done.error, null);
  t.equal(probe(c.path).video, 'hevc');
  t.same(namesIn(c.media), ['Film.mkv']);
});

t.test('a file a worker with storage "shared" cannot see stays queued, saying why, and is left alone (auto would stream it: test/library/stream.test.ts)', async (t) => {
  const outside = join(dir, 'outside');
  mkdirSync(outside, { recursive: true });
  const path = makeClip(join(outside, 'Film.mkv'), { codec: 'h264', seconds: 1 });
  const sha = sha256(path);
  const caseRoot = join(dir, 'cases', 'outside');
  mkdirSync(caseRoot, { recursive: true });
  const config = writeServerConfig(caseRoot, [{ url: worker.url, name: 'gpu', storage: 'shared' }]);
  t.equal(library(caseRoot, config, 'scan', outside).status, 0);
  t.equal(library(caseRoot, config, 'encode', '--codec', 'hevc').status, 0);
  const server = await startServer(caseRoot, config);
  t.teardown(() => server.stop());
  const row = await waitForJob(caseRoot, 1, (r) => r.error !== null);
  t.match(row, { state: 'queued', attempts: 0, error: /^not on gpu: it is outside the worker's mediaRoots \(as .*Film\.mkv there\)$/ });
  t.match(JSON.parse(library(caseRoot, config, 'list', '--json').stdout).files[0], { state: 'queued', reason: /outside the worker's mediaRoots/ });
  t.equal(sha256(path), sha);
  t.same(namesIn(outside), ['Film.mkv']);
});

t.test('a worker that takes no library job (libraryJobs 0) refuses it; the job stays queued, saying why', async (t) => {
  const off = await startLibraryWorker(join(dir, 'off'), join(dir, 'media'), { libraryJobs: 0 });
  t.teardown(() => off.stop('SIGKILL'));
  const c = setUpCase(dir, 'refused', [{ url: off.url, name: 'off' }], { seconds: 1 });
  const quality = library(c.root, c.config, 'encode', '--codec', 'hevc', '--quality', '22.5');
  t.equal(quality.status, 2, 'a fractional quality is a usage error');
  t.match(quality.stderr, '--quality: expected a whole number, got 22.5');
  t.equal(library(c.root, c.config, 'encode', '--codec', 'hevc', '--quality', '30').status, 0);
  const server = await startServer(c.root, c.config);
  t.teardown(() => server.stop());
  const row = await waitForJob(c.root, 1, (r) => r.error !== null);
  t.match(row, { state: 'queued', attempts: 0, worker: null, quality: 30, error: /^off refused it: / });
  t.equal(sha256(c.path), c.sha);
  t.same(namesIn(c.media), ['Film.mkv']);
});

t.test('a disk that fills up during the encode leaves the original, and the job fails with the reason', { skip: tmpfsWorks ? false : 'needs root to mount a small tmpfs' }, async (t) => {
  // Room for the original and 48 KiB more: the encode (a few hundred kB) cannot fit.
  const c = await fullDiskCase(t, dir, 48 * 1024, workers);
  if (c === null) return;
  const { full, path, sha, caseRoot, run } = c;
  t.equal(run.status, 1, 'exit 1: a job failed');
  const row = jobRow(caseRoot, 1);
  // The worker reports its ffmpeg's "No space left on device" as a failure (LIBRARY_DISK_FULL),
  // even when ffmpeg exits 0 with a truncated file; the library's disk is full: failed at once.
  t.equal(row.state, 'failed');
  t.equal(row.attempts, 1, 'not retried into the same full disk');
  t.match(row.error, /^the encode failed on gpu: the disk holding the output is full: ffmpeg said "No space left on device" and .*; the partial output was removed \(after 1 attempt\)$/);
  t.comment(`attempts ${row.attempts}: ${row.error}`);
  t.equal(sha256(path), sha, 'the original, byte for byte');
  t.same(namesIn(full), ['Film.mkv'], 'no partial output left');
});
