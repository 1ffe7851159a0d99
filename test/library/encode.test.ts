// The encode path end to end: `plexbeam library encode` queues, the real `plexbeam server` hands the
// jobs to an idle real worker on 127.0.0.1 (software x265 and SVT-AV1), and the Plex-side finish
// (verify, min savings, fsync, rename) replaces each file under the same name: checked with ffprobe
// (codec, every stream, chapters, duration) and a decode pass; --keep-original's NAME.orig.EXT is
// the original byte for byte (sha256); nothing else is left beside the files.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { haveFfmpeg } from './clips.ts';
import { BIN, assertEncoded, jobRow, makeFilms, library, namesIn, sha256, startLibraryWorker, startServer, waitForJob, writeServerConfig } from './helpers.ts';

if (!haveFfmpeg()) {
  t.plan(0, 'ffmpeg and ffprobe are not on PATH');
  process.exit(0);
}

const dir = realpathSync(t.testdir({ media: { Films: {} }, tx: {}, run: {} }));
const films = join(dir, 'media', 'Films');
const { h264, hevc, before } = makeFilms(films);

const worker = await startLibraryWorker(dir, join(dir, 'media'));
t.teardown(() => worker.stop('SIGKILL'));
const config = writeServerConfig(dir, [{ url: worker.url, name: 'gpu' }]);

t.test('scan, a dry run, then queueing without a server says so', async (t) => {
  t.equal(library(dir, config, 'scan', join(dir, 'media')).status, 0);
  const dry = library(dir, config, 'encode', '--codec', 'hevc', '--dry-run', '--json');
  t.equal(dry.status, 0, dry.stderr);
  const planned = JSON.parse(dry.stdout);
  t.match(planned, { dry_run: true, codec: 'hevc', server_running: false });
  t.same(planned.queued.map((q: any) => [q.path, q.job]), [[h264, null]], 'the HEVC film is no candidate for HEVC');
  t.equal(JSON.parse(library(dir, config, 'list', '--json').stdout).totals.queued, 0, 'a dry run queues nothing');

  const queued = library(dir, config, 'encode', '--codec', 'hevc', '--keep-original', '--min-savings', '1');
  t.equal(queued.status, 0, queued.stderr);
  t.match(queued.stdout, `queued #1  ${h264} (~`);
  t.match(queued.stdout, '1 file queued for HEVC');
  t.match(queued.stderr, 'plexbeam-server does not seem to run');
  t.match(jobRow(dir, 1), { state: 'queued', codec: 'hevc', keep_original: 1, min_savings: 1, attempts: 0 });
  const again = library(dir, config, 'encode', '--codec', 'hevc', '--json');
  t.same(JSON.parse(again.stdout).queued, [], 'a file with a job in progress is not queued twice');
});

t.test('the server hands the jobs to the idle worker; each file is replaced by its verified encode', async (t) => {
  const server = await startServer(dir, config);
  t.teardown(() => server.stop());
  // --wait queues the HEVC film for AV1 and returns once that job has ended.
  const av1 = library(dir, config, 'encode', '--codec', 'av1', '--min-savings', '1', '--wait');
  t.equal(av1.status, 0, `${av1.stdout}${av1.stderr}`);
  t.match(av1.stdout, `queued #2  ${hevc}`);
  t.match(av1.stdout, `done  ${hevc}\n`);
  const one = await waitForJob(dir, 1, (row) => row.state === 'done');
  const two = jobRow(dir, 2);

  t.match(one, { state: 'done', step: 'swapped', worker: 'gpu', storage: 'shared', attempts: 1, percent: 100, error: null });
  t.match(two, { state: 'done', step: 'swapped', worker: 'gpu', storage: 'shared', codec: 'av1' });
  for (const [path, was, row, codec] of [[h264, before.h264, one, 'hevc'], [hevc, before.hevc, two, 'av1']] as const) {
    assertEncoded(t, path, was, codec);
    const size = statSync(path).size;
    t.ok(size < was.size, `${path}: ${was.size} → ${size} bytes`);
    t.equal(row.saved_bytes, was.size - size, 'the row says what was saved');
    t.equal(row.old_size, was.size);
  }
  t.equal(sha256(join(films, 'H264 Film.orig.mkv')), before.h264.sha, '--keep-original: NAME.orig.EXT is the original, byte for byte');
  t.same(namesIn(films), ['H264 Film.mkv', 'H264 Film.orig.mkv', 'HEVC Film.mp4'], 'no temporary output left, no .orig without --keep-original');
  // (The CLI runs synchronously: the server's lines are read once the test's loop turns again.)
  await server.waitForLog((l) => l.msg === `library job 1 started on gpu: ${h264}`);
  await server.waitForLog((l) => l.msg === 'library job 1 done');

  const list = JSON.parse(library(dir, config, 'list', '--json').stdout);
  const saved = before.h264.size - statSync(h264).size + before.hevc.size - statSync(hevc).size;
  t.match(list.totals, { done: 2, failed: 0, queued: 0, encoding: 0, saved_bytes: saved });
  t.same(list.files.map((f: any) => [f.path, f.state]), [[h264, 'done'], [hevc, 'done']]);
  t.match(library(dir, config, 'list').stdout, /2 done, [\d.]+ [kM]B saved/);
  const status = spawnSync(BIN, ['status', '--json', '--config', config], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir }, encoding: 'utf8', timeout: 30_000 });
  t.equal(status.status, 0, 'a worker is up');
  t.match(JSON.parse(status.stdout).library, { totals: { done: 2, failed: 0, saved_bytes: saved }, jobs: [] }, 'plexbeam status: the library totals');
  // The dashboard serves the same library report (published after each round).
  const listening = await server.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('dashboard on '));
  const dashboard = `http://127.0.0.1:${listening.port}`;
  let report: any = null;
  for (let i = 0; i < 100 && report?.library?.totals?.done !== 2; i++) {
    report = await (await fetch(`${dashboard}/api/status`)).json();
    if (report?.library?.totals?.done !== 2) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.match(report.library, { totals: { done: 2, failed: 0, saved_bytes: saved }, jobs: [] }, 'the dashboard: the library totals');
  t.match(await (await fetch(`${dashboard}/`)).text(), '<h2>Library re-encode</h2>');
  // Rescanning the replaced files: they are done, not candidates again.
  t.match(JSON.parse(library(dir, config, 'scan', join(dir, 'media'), '--json').stdout), { totals: { candidates: 0, done: 2 } });
});
