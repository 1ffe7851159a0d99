// `plexbeam worker` (the built CLI) and worker.confinement: it refuses to start when bubblewrap is
// required and missing, starts with a warning when told "unconfined", and says what it enforces.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { followJsonLogs } from '../harness/json-log-process.ts';
import { BIN, FAKE_FFMPEG, makeMedia, processGroup, startWorker, waitForEnd } from './helpers.ts';

/** A PATH like the usual one, without bwrap: a folder of links to everything in /usr/bin (and /bin) but it. */
function pathWithoutBwrap(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const from of ['/usr/bin', '/bin']) {
    for (const name of readdirSync(from)) if (name !== 'bwrap' && !existsSync(join(bin, name))) symlinkSync(join(from, name), join(bin, name));
  }
  return bin;
}

t.test('confinement "bubblewrap" with no bwrap on PATH: refuses to start, exit 2, naming the fix', async (t) => {
  const dir = t.testdir({});
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ worker: { host: '127.0.0.1', port: 0, ffmpegPath: FAKE_FFMPEG, confinement: 'bubblewrap' } }));
  const proc = spawn(BIN, ['worker', '--config', config], { env: { PATH: pathWithoutBwrap(dir), TMPDIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  const { logs, exited, stderr } = followJsonLogs(proc, { timeoutMs: 20_000 });
  const { code } = await exited;
  t.equal(code, 2);
  t.match(stderr(), /worker\.confinement is "bubblewrap" but ffmpeg cannot be confined here: bubblewrap \(bwrap\) is not installed/);
  t.match(stderr(), /apt-get install bubblewrap.*"unconfined"/, 'the fix: install it, allow user namespaces, or accept unconfined');
  t.ok(logs.some((line) => line.level === 'fatal' && line.code === 'CONFINEMENT_UNAVAILABLE'), 'a fatal log line for the journal');
  t.notOk(logs.some((line) => line.msg === 'listening'), 'it never listened');
});

t.test('confinement "unconfined": starts, with a warning saying so', async (t) => {
  const dir = t.testdir({});
  const worker = await startWorker(dir, { ffmpegPath: FAKE_FFMPEG, confinement: 'unconfined' });
  t.teardown(() => worker.stop('SIGKILL'));
  const warning = worker.logs.find((line) => line.level === 'warn' && /^UNCONFINED/.test(line.msg ?? ''));
  t.match(warning, { confinement: { mode: 'unconfined', setting: 'unconfined' } }, 'a warn line before it listens');
  t.match((await worker.request('GET', '/health')).json, { status: 'ok', confinement: 'unconfined' }, '/health says so');
  t.equal((await worker.stop()).code, 0);
});

const bwrapSkip = spawnSync('bwrap', ['--unshare-all', '--ro-bind', '/', '/', 'true']).status === 0 ? false : 'bubblewrap cannot run here';

t.test('a real job through the worker runs confined, and its job started line says how', { skip: bwrapSkip }, async (t) => {
  const dir = realpathSync(t.testdir({ media: {}, tx: { sess: {} } }));
  const input = makeMedia(join(dir, 'media', 'in.mkv'), 2);
  const worker = await startWorker(dir, { mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')] });
  t.teardown(() => worker.stop('SIGKILL'));
  const { status, json } = await worker.request('POST', '/transcode', { session_id: 's1', argv: ['-i', input, '-t', '1', '-c', 'copy', 'out.mkv'], env: {}, cwd: join(dir, 'tx', 'sess') });
  t.equal(status, 202);
  const started = await worker.waitForLog((l) => l.job_id === json.job_id && l.msg === 'job started');
  t.same(started.confinement, { mode: 'bubblewrap', network: 'private' }, 'no URL in the argv: a private network');
  t.match(await waitForEnd(worker, json.job_id), { state: 'completed', exit_code: 0 });
  t.ok(existsSync(join(dir, 'tx', 'sess', 'out.mkv')), 'the confined ffmpeg wrote its output');
  t.match((await worker.request('GET', '/health')).json, { status: 'ok', confinement: 'bubblewrap' }, '/health says what confines ffmpeg');
});

t.test('a worker SIGKILLed mid-job: its confined ffmpeg dies with it (--die-with-parent), no restart needed', { skip: bwrapSkip }, async (t) => {
  const dir = realpathSync(t.testdir({ media: { 'in.mkv': 'x' }, tx: { sess: {} } }));
  // The fake's stall mode sleeps without writing: no SIGPIPE would end it once the worker is gone.
  const config = { ffmpegPath: FAKE_FFMPEG, mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')] };
  const request = { session_id: 's2', argv: ['-i', join(dir, 'media', 'in.mkv'), 'stall.out'], env: {}, cwd: join(dir, 'tx', 'sess') };
  const startStalled = async (worker: Awaited<ReturnType<typeof startWorker>>) => {
    const { json } = await worker.request('POST', '/transcode', request);
    const group = (await worker.waitForLog((l) => l.job_id === json.job_id && l.msg === 'job started')).ffmpeg_pid as number;
    t.teardown(() => {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // already gone
      }
    });
    return group;
  };
  const worker = await startWorker(dir, config);
  t.teardown(() => worker.stop('SIGKILL'));
  const group = await startStalled(worker);
  for (const deadline = Date.now() + 5000; processGroup(group).length < 4 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
  t.ok(processGroup(group).length >= 4, 'two bwrap, the fake ffmpeg and its sleep run');
  await worker.stop('SIGKILL');
  for (const deadline = Date.now() + 5000; processGroup(group).length > 0 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
  t.same(processGroup(group), [], 'nothing of the job is left');

  // Control: unconfined, the detached ffmpeg outlives a SIGKILLed worker (what the sandbox prevents).
  const loose = await startWorker(dir, { ...config, confinement: 'unconfined' });
  t.teardown(() => loose.stop('SIGKILL'));
  const orphan = await startStalled(loose);
  await loose.stop('SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 500));
  t.ok(processGroup(orphan).length > 0, 'control: an unconfined ffmpeg is left running');
});

t.test('default "auto" where bubblewrap works: says it confines', { skip: bwrapSkip }, async (t) => {
  const dir = t.testdir({});
  const worker = await startWorker(dir, { ffmpegPath: FAKE_FFMPEG });
  t.teardown(() => worker.stop('SIGKILL'));
  t.ok(worker.logs.some((line) => line.level === 'info' && /^confined by bubblewrap/.test(line.msg ?? '') && (line.confinement as { mode?: string } | undefined)?.mode === 'bubblewrap'), 'an info line saying it confines, before it listens');
  t.ok(worker.logs.some((line) => line.msg === 'hardware probed' && line.hwaccel === 'nvenc'), "the probe's test encodes ran (confined) with the fake ffmpeg");
});
