import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { FAKE_PLEX_VERSION, fakeRealScript, installFakePlexDir, readFakeRealCalls, type FakeRealCall } from '../harness/index.ts';

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(file: string, args: string[], env: Record<string, string>, cwd?: string): ChildProcess {
  return spawn(file, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function finish(child: ChildProcess): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  return { code, signal, stdout, stderr };
}

/** Polls the log until `pred` holds for the calls (a started process logs before anything else). */
async function logged(log: string, pred: (calls: FakeRealCall[]) => boolean): Promise<FakeRealCall[]> {
  for (let i = 0; i < 500; i++) {
    const calls = await readFakeRealCalls(log);
    if (pred(calls)) return calls;
    await sleep(20);
  }
  throw new Error(`log ${log} never matched`);
}

t.test('installFakePlexDir makes an executable transcoder and a Plex Media Server that knows its version', async (t) => {
  const dir = t.testdir();
  const plex = await installFakePlexDir(join(dir, 'plexmediaserver'));
  t.equal(plex.version, FAKE_PLEX_VERSION);
  const version = await finish(start(plex.server, ['--version'], {}));
  t.match(version, { code: 0, stdout: `v${FAKE_PLEX_VERSION}\n` });
  const other = await installFakePlexDir(join(dir, 'other'), { version: '1.42.0.9999-deadbeef' });
  t.match((await finish(start(other.server, ['--version'], {}))).stdout, /1\.42\.0\.9999-deadbeef/);
  const banner = await finish(start(plex.transcoder, ['-version'], {}));
  t.match(banner, { code: 0, stdout: /^ffmpeg version 1\.2\.3-plex /, stderr: '' });
});

t.test('records argv, env and cwd exactly, then exits as told', async (t) => {
  const dir = t.testdir({ session: {} });
  const plex = await installFakePlexDir(join(dir, 'plex'));
  const log = join(dir, 'calls.jsonl');
  const argv = ['-i', '/media/Movies/A Film (2016)/a film.mkv', '', ' ', "it's", 'say "hi"', 'back\\slash', 'new\nline', 'ünï ✓', '-filter_complex', "[0:1] aresample=ochl='5.1'[5]"];
  const ran = await finish(start(plex.transcoder, argv, { PLEXBEAM_FAKE_REAL_LOG: log, X_PLEX_TOKEN: 'local-secret', EMPTY_VAR: '' }, join(dir, 'session')));
  t.match(ran, { code: 0, signal: null, stderr: /stand-in: ok/ });
  const [call, ...more] = await readFakeRealCalls(log);
  t.equal(more.length, 0);
  t.same(call?.argv, argv);
  t.equal(call?.cwd, realpathSync(join(dir, 'session')));
  t.equal(call?.env.X_PLEX_TOKEN, 'local-secret');
  t.equal(call?.env.EMPTY_VAR, '');
  t.equal(call?.env.PLEXBEAM_FAKE_REAL_LOG, log);
  t.equal(call?.program, plex.transcoder);
  t.equal(call?.mode, 'ok');
  t.ok(call?.pid);

  for (const code of [1, 8, 187]) {
    const exited = await finish(start(plex.transcoder, ['-x'], { PLEXBEAM_FAKE_REAL_LOG: log, PLEXBEAM_FAKE_REAL_MODE: `exit:${code}` }));
    t.equal(exited.code, code, `exit:${code}`);
  }
  t.equal((await readFakeRealCalls(log)).length, 4, 'one line per run');
  t.same(await readFakeRealCalls(join(dir, 'missing.jsonl')), []);
});

t.test('sleep mode dies by SIGTERM after logging it', async (t) => {
  const log = join(t.testdir(), 'calls.jsonl');
  const child = start(fakeRealScript(), ['-i', 'x'], { PLEXBEAM_FAKE_REAL_LOG: log, PLEXBEAM_FAKE_REAL_MODE: 'sleep' });
  const done = finish(child);
  await logged(log, (calls) => calls.length === 1);
  child.kill('SIGTERM');
  t.match(await done, { code: null, signal: 'SIGTERM' });
  const [call] = await readFakeRealCalls(log);
  t.same(call?.signals, ['SIGTERM']);
});

t.test('ignore-term mode survives SIGTERM until SIGKILL', async (t) => {
  const log = join(t.testdir(), 'calls.jsonl');
  const child = start(fakeRealScript(), [], { PLEXBEAM_FAKE_REAL_LOG: log, PLEXBEAM_FAKE_REAL_MODE: 'ignore-term' });
  const done = finish(child);
  await logged(log, (calls) => calls.length === 1);
  child.kill('SIGTERM');
  await logged(log, (calls) => calls[0]?.signals.length === 1);
  t.equal(child.exitCode, null, 'still running after SIGTERM was handled');
  t.equal(child.signalCode, null);
  child.kill('SIGKILL');
  t.match(await done, { code: null, signal: 'SIGKILL' });
});

t.test('ffmpeg mode runs the real ffmpeg with the same argv and exits as it did', async (t) => {
  const log = join(t.testdir(), 'calls.jsonl');
  const env = { PLEXBEAM_FAKE_REAL_LOG: log, PLEXBEAM_FAKE_REAL_MODE: 'ffmpeg' };
  const ok = await finish(start(fakeRealScript(), ['-hide_banner', '-f', 'lavfi', '-i', 'testsrc2=duration=0.2', '-f', 'null', '-'], env));
  t.equal(ok.code, 0);
  const plexOnly = await finish(start(fakeRealScript(), ['-loglevel_plex', 'error', '-i', 'x'], env));
  t.not(plexOnly.code, 0, 'stock ffmpeg rejects Plex-private options');
  t.match(plexOnly.stderr, /Unrecognized option 'loglevel_plex'/);
  const version = await finish(start(fakeRealScript(), ['-version'], env));
  t.match(version.stdout, /^ffmpeg version 5\./, 'the real banner, not the stand-in one');
  const calls = await readFakeRealCalls(log);
  t.same(calls.map((c) => c.ffmpegExit?.code), [0, plexOnly.code, 0]);
});

t.test('runs as `Plex Transcoder.real` anywhere, with loader hooks in NODE_OPTIONS, on any node on PATH', async (t) => {
  const outside = await mkdtemp(join(tmpdir(), 'plexbeam-fake-real-'));
  t.teardown(() => rm(outside, { recursive: true, force: true }));
  const inside = t.testdir(); // inside this "type": "module" package
  const log = join(inside, 'calls.jsonl');
  const nodes = [process.execPath, ...['/usr/bin/node', '/usr/local/bin/node'].filter((n) => existsSync(n) && n !== process.execPath)];
  t.match(process.env.NODE_OPTIONS, /--import/, 'tap runs tests with loader hooks');
  for (const [i, node] of nodes.entries()) {
    const bin = join(inside, `bin-${i}`);
    mkdirSync(bin);
    symlinkSync(node, join(bin, 'node'));
    for (const dir of [inside, outside]) {
      const copy = join(dir, 'Plex Transcoder.real');
      copyFileSync(fakeRealScript(), copy);
      const ran = await finish(start(copy, ['a b', '-x'], { PATH: `${bin}:${process.env.PATH}`, PLEXBEAM_FAKE_REAL_LOG: log, PLEXBEAM_FAKE_REAL_MODE: 'exit:3' }));
      t.match(ran, { code: 3, stderr: /exiting 3/ }, `${node} runs ${copy}`);
    }
  }
  const calls = await readFakeRealCalls(log);
  t.same(calls.map((c) => c.argv), calls.map(() => ['a b', '-x']));
  t.equal(calls.length, nodes.length * 2);
  t.ok(calls.every((c) => c.program.endsWith('/Plex Transcoder.real')));
});
