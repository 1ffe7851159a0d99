// "Never lose a file" in stream mode (the worker shares no storage with the Plex side): the link
// cut mid-upload and mid-download (a proxy between plexbeam-server and the worker), plexbeam-server
// SIGKILLed mid-upload and mid-download and started again, the worker SIGKILLed mid-encode (the
// job requeued after 30 s of silence and done on another worker), and the Plex side's disk full
// while the encode downloads (a small tmpfs). Each leaves the original byte for byte (sha256) or
// the verified encode under the name, never anything else, and the job done, retried or failed
// with its reason; nothing is left beside the file.
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { haveFfmpeg } from './clips.ts';
import { decodeErrors, fullDiskCase, jobRow, library, namesIn, probe, setUpCase, sha256, startLibraryWorker, startServer, tmpfsWorks, waitForJob } from './helpers.ts';
import { startLinkProxy, type LinkProxy } from './link-proxy.ts';

if (!haveFfmpeg()) {
  t.plan(0, 'ffmpeg and ffprobe are not on PATH');
  process.exit(0);
}
t.setTimeout(600_000);

const dir = realpathSync(t.testdir({ media: {}, cases: {}, tx: {}, 'worker-media': {}, victim: { tx: {}, 'worker-media': {} } }));
// The worker's own media folder holds none of the Plex side's files: every job streams.
const worker = await startLibraryWorker(dir, join(dir, 'worker-media'));
t.teardown(() => worker.stop('SIGKILL'));

/** The file at `path` is the verified encode: HEVC now, its streams kept, decodes cleanly. */
const isVerifiedEncode = (path: string) => probe(path).video === 'hevc' && decodeErrors(path) === '';

/** A proxy in front of the worker, closed with the test. */
async function proxied(t: Test): Promise<LinkProxy> {
  const proxy = await startLinkProxy(worker.url);
  t.teardown(() => proxy.close());
  return proxy;
}

for (const transfer of ['upload', 'download'] as const) {
  t.test(`the link cut mid-${transfer}: the transfer is done again and the job finishes`, async (t) => {
    const proxy = await proxied(t);
    const c = setUpCase(dir, `cut-${transfer}`, [{ url: proxy.url, name: 'gpu' }], { seconds: 4 });
    proxy.arm({ transfer, afterBytes: transfer === 'upload' ? 200_000 : 4096, action: 'cut' });
    const server = await startServer(c.root, c.config);
    t.teardown(() => server.stop());
    t.equal(library(c.root, c.config, 'encode', '--codec', 'hevc', '--min-savings', '1').status, 0);
    const line = transfer === 'upload' ? /^library job 1: the upload to gpu stopped: the upload was cut at byte 0 of \d+/ : /^library job 1: the download from gpu was cut: the download was cut after \d+ of \d+ bytes/;
    const warned = await server.waitForLog((l) => line.test(l.msg ?? ''), 60_000);
    t.equal(proxy.broken, 1, `the ${transfer} was cut once`);
    t.comment(warned.msg);
    t.equal(sha256(c.path), c.sha, 'the original, byte for byte, after the cut');
    const done = await waitForJob(c.root, 1, (row) => row.state === 'done' || row.state === 'failed');
    t.match(done, { state: 'done', attempts: 1, error: null }, `the ${transfer} done again, not the encode`);
    t.ok(isVerifiedEncode(c.path), 'the verified encode in place');
    t.same(namesIn(c.media), ['Film.mkv']);
  });

  t.test(`plexbeam-server SIGKILLed mid-${transfer}: started again, it resumes the job and finishes it`, async (t) => {
    const proxy = await proxied(t);
    const c = setUpCase(dir, `kill-${transfer}`, [{ url: proxy.url, name: 'gpu' }], { seconds: 4 });
    proxy.arm({ transfer, afterBytes: transfer === 'upload' ? 200_000 : 4096, action: 'hold' });
    const server = await startServer(c.root, c.config);
    t.equal(library(c.root, c.config, 'encode', '--codec', 'hevc', '--min-savings', '1').status, 0);
    for (let i = 0; i < 600 && proxy.broken === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    t.equal(proxy.broken, 1, `the ${transfer} is held mid-way`);
    t.match(jobRow(c.root, 1), transfer === 'upload' ? { state: 'encoding', step: 'upload' } : { state: 'finishing', step: 'download' });
    await server.stop('SIGKILL');
    t.equal(sha256(c.path), c.sha, 'the original, byte for byte, with the server gone');
    const again = await startServer(c.root, c.config);
    t.teardown(() => again.stop());
    const done = await waitForJob(c.root, 1, (row) => row.state === 'done' || row.state === 'failed');
    t.match(done, { state: 'done', attempts: 1, error: null }, 'resumed, not encoded again');
    t.ok(isVerifiedEncode(c.path), 'the verified encode in place');
    t.same(namesIn(c.media), ['Film.mkv'], 'the partial download removed');
  });
}

t.test('a worker SIGKILLed mid-encode: requeued after 30 s of silence, streamed to another worker and done', async (t) => {
  const victim = await startLibraryWorker(join(dir, 'victim'), join(dir, 'victim', 'worker-media'));
  t.teardown(() => victim.stop('SIGKILL'));
  const c = setUpCase(dir, 'worker-dies', [{ url: victim.url, name: 'victim' }, { url: worker.url, name: 'gpu' }], { seconds: 8 });
  const server = await startServer(c.root, c.config);
  t.teardown(() => server.stop());
  t.equal(library(c.root, c.config, 'encode', '--codec', 'hevc', '--min-savings', '1').status, 0);
  await victim.waitForLog((l) => l.msg === 'library job started', 60_000);
  t.equal(jobRow(c.root, 1).worker, 'victim');
  await victim.stop('SIGKILL');
  t.equal(sha256(c.path), c.sha, 'the original, byte for byte, after the worker died');
  await server.waitForLog((l) => /^library job 1 requeued: worker victim silent for 3\d s/.test(l.msg ?? ''), 60_000);
  const done = await waitForJob(c.root, 1, (row) => row.state === 'done' || row.state === 'failed');
  t.match(done, { state: 'done', worker: 'gpu', attempts: 2, error: null });
  t.ok(isVerifiedEncode(c.path));
  t.same(namesIn(c.media), ['Film.mkv']);
});

t.test('the worker restarted before the encode was downloaded: it removes the dead job\'s scratch; the job is requeued and done', async (t) => {
  const restartDir = join(dir, 'restart');
  mkdirSync(join(restartDir, 'worker-media'), { recursive: true });
  mkdirSync(join(restartDir, 'tx'), { recursive: true });
  const first = await startLibraryWorker(restartDir, join(restartDir, 'worker-media'));
  t.teardown(() => first.stop('SIGKILL'));
  const proxy = await startLinkProxy(first.url);
  t.teardown(() => proxy.close());
  const c = setUpCase(dir, 'worker-restarts', [{ url: proxy.url, name: 'gpu' }], { seconds: 2 });
  proxy.arm({ transfer: 'download', afterBytes: 4096, action: 'hold' });
  const server = await startServer(c.root, c.config);
  t.teardown(() => server.stop());
  t.equal(library(c.root, c.config, 'encode', '--codec', 'hevc', '--min-savings', '1').status, 0);
  for (let i = 0; i < 600 && proxy.broken === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  t.equal(proxy.broken, 1, 'the download is held mid-way');
  const workerJob = jobRow(c.root, 1).worker_job_id as string;
  const scratch = join(restartDir, 'plexbeam-worker', 'library-stream');
  await first.stop('SIGKILL');
  t.ok(existsSync(join(scratch, workerJob)), 'the dead worker left the job\'s scratch');
  t.equal(sha256(c.path), c.sha, 'the original, byte for byte');
  const again = await startLibraryWorker(restartDir, join(restartDir, 'worker-media'));
  t.teardown(() => again.stop('SIGKILL'));
  t.notOk(existsSync(join(scratch, workerJob)), 'the worker started again removed it');
  proxy.retarget(again.url);
  await server.waitForLog((l) => /^library job 1 requeued: the encode could not be downloaded from gpu: /.test(l.msg ?? ''), 60_000);
  const done = await waitForJob(c.root, 1, (row) => row.state === 'done' || row.state === 'failed');
  t.match(done, { state: 'done', attempts: 2, error: null }, 'encoded again on the restarted worker');
  t.ok(isVerifiedEncode(c.path));
  t.same(namesIn(c.media), ['Film.mkv']);
});

t.test('the Plex side\'s disk full while the encode downloads: the original stays, the job fails with LIBRARY_DISK_FULL', { skip: tmpfsWorks ? false : 'needs root to mount a small tmpfs' }, async (t) => {
  // Room for the original and 16 KiB more: the encode (a few hundred kB) cannot fit.
  const c = await fullDiskCase(t, dir, 16 * 1024, [{ url: worker.url, name: 'gpu', storage: 'stream' }]);
  if (c === null) return;
  const { full, path, sha, caseRoot, server, run } = c;
  t.equal(run.status, 1, 'exit 1: a job failed');
  const row = jobRow(caseRoot, 1);
  t.match(row, { state: 'failed', attempts: 1, error: /^LIBRARY_DISK_FULL: no room beside the original for the encode \(No space left on device after \d+ of \d+ bytes\); nothing replaced$/ });
  t.equal(sha256(path), sha, 'the original, byte for byte');
  t.same(namesIn(full), ['Film.mkv'], 'no partial download left');
  await server.waitForLog((l) => l.code === 'LIBRARY_DISK_FULL' && l.level === 'error');
});
