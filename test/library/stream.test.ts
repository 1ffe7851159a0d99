// The encode path in stream mode, end to end: a real worker that shares no storage with the Plex
// side (its mediaRoots hold none of the library), `workers[].storage` left at auto, so the real
// `plexbeam server` finds (POST /paths/stat) that the worker does not see the files, uploads each
// original to the job, downloads the encode beside the original and finishes it as on shared
// storage (verify, min savings, fsync, rename). Software x265 and SVT-AV1; every stream, the
// chapters, the duration checked; --keep-original is the original byte for byte; nothing is left
// beside the files or in the worker's scratch. And storage "shared" for such a worker: left queued.
import { existsSync, mkdirSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { haveFfmpeg, makeClip } from './clips.ts';
import { assertEncoded, jobRow, makeFilms, library, namesIn, sha256, startLibraryWorker, startServer, waitForJob, writeServerConfig } from './helpers.ts';

if (!haveFfmpeg()) {
  t.plan(0, 'ffmpeg and ffprobe are not on PATH');
  process.exit(0);
}
t.setTimeout(300_000);

const dir = realpathSync(t.testdir({ plex: { Films: {} }, 'worker-media': {}, tx: {}, run: {} }));
const films = join(dir, 'plex', 'Films');
const { h264, hevc, before } = makeFilms(films);

// The worker's own media folder holds nothing of the Plex side's library.
const worker = await startLibraryWorker(dir, join(dir, 'worker-media'));
t.teardown(() => worker.stop('SIGKILL'));
const scratch = join(dir, 'plexbeam-worker', 'library-stream');

/** Waits until the worker's stream scratch holds no job folder (the server frees it after the download). */
async function scratchEmptied(): Promise<string[]> {
  // Up to 30 s: the server frees it after its own checks, slow on a loaded machine (10 s was not enough at load 16).
  for (let i = 0; i < 300; i++) {
    if (!existsSync(scratch) || readdirSync(scratch).length === 0) return [];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return readdirSync(scratch);
}

t.test('auto storage: the worker does not see the files, so each is streamed to it, encoded, downloaded and swapped in', async (t) => {
  const config = writeServerConfig(dir, [{ url: worker.url, name: 'gpu' }]);
  t.equal(library(dir, config, 'scan', join(dir, 'plex')).status, 0);
  t.equal(library(dir, config, 'encode', '--codec', 'hevc', '--keep-original', '--min-savings', '1').status, 0);
  const server = await startServer(dir, config);
  t.teardown(() => server.stop());
  const av1 = library(dir, config, 'encode', '--codec', 'av1', '--min-savings', '1', '--wait');
  t.equal(av1.status, 0, `${av1.stdout}${av1.stderr}`);
  const one = await waitForJob(dir, 1, (row) => row.state === 'done' || row.state === 'failed');
  const two = jobRow(dir, 2);
  t.match(one, { state: 'done', step: 'swapped', worker: 'gpu', storage: 'stream', attempts: 1, error: null });
  t.match(two, { state: 'done', step: 'swapped', worker: 'gpu', storage: 'stream', codec: 'av1', error: null });
  for (const [path, was, row, codec] of [[h264, before.h264, one, 'hevc'], [hevc, before.hevc, two, 'av1']] as const) {
    assertEncoded(t, path, was, codec);
    t.equal(row.saved_bytes, was.size - statSync(path).size, `${path}: the row says what was saved`);
  }
  const listed = library(dir, config, 'list', '--json');
  t.equal(listed.status, 0, listed.stderr);
  const jobs = (JSON.parse(listed.stdout) as { files: { job: { storage: string | null } | null }[] }).files.map((f) => f.job?.storage);
  t.same(jobs, ['stream', 'stream'], '`library list --json` says each job was streamed');
  t.equal(sha256(join(films, 'H264 Film.orig.mkv')), before.h264.sha, '--keep-original: NAME.orig.EXT is the original, byte for byte');
  t.same(namesIn(films), ['H264 Film.mkv', 'H264 Film.orig.mkv', 'HEVC Film.mp4'], 'no temporary output left');
  t.same(namesIn(join(dir, 'worker-media')), [], 'nothing written in the worker\'s own media folder');
  await server.waitForLog((l) => l.msg === `library job 1 started on gpu (stream mode): ${h264}` && l.storage === 'stream');
  await server.waitForLog((l) => /^library job 1: the original uploaded to gpu \(\d+ bytes\)$/.test(l.msg ?? ''));
  await server.waitForLog((l) => /^library job 1: the encode downloaded from gpu; verifying$/.test(l.msg ?? '') && /^[0-9a-f]{64}$/.test(String(l.sha256)));
  await worker.waitForLog((l) => l.msg === 'library job accepted (stream mode: waiting for its input)' && l.name === 'H264 Film.mkv');
  t.same(await scratchEmptied(), [], 'the worker\'s scratch freed once the encodes were downloaded');
});

t.test('storage "shared" on a worker that does not see the file: it stays queued, saying why, untouched', async (t) => {
  const root = join(dir, 'shared-case');
  const media = join(root, 'media');
  mkdirSync(media, { recursive: true });
  const path = makeClip(join(media, 'Film.mkv'), { codec: 'h264', seconds: 1 });
  const sha = sha256(path);
  const config = writeServerConfig(root, [{ url: worker.url, name: 'gpu', storage: 'shared' }]);
  t.equal(library(root, config, 'scan', media).status, 0);
  t.equal(library(root, config, 'encode', '--codec', 'hevc').status, 0);
  const server = await startServer(root, config);
  t.teardown(() => server.stop());
  const row = await waitForJob(root, 1, (r) => r.error !== null);
  t.match(row, { state: 'queued', attempts: 0, error: /^not on gpu: it is outside the worker's mediaRoots/ });
  t.equal(sha256(path), sha);
  t.same(namesIn(media), ['Film.mkv']);
});
