// Pass-through and local runs: Plex's own transcoder gets the identical argv, env and cwd, and the
// shim ends exactly as it did (code or signal). Node itself starts with a clean environment.
import { mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { readFakeRealCalls } from '../harness/index.ts';
import { installShim, plexEnv, processEnv, readSessions, runShim, startShim, until, writeConfig, writeShellReal } from './helpers.ts';

const dir = realpathSync(t.testdir({ session: {} }));
const cwd = join(dir, 'session');
const plex = await installShim(dir);
const config = writeConfig(dir, { workers: [{ url: 'http://127.0.0.1:9', apiKey: 'k' }] });
const env = plexEnv({ PLEXBEAM_CONFIG: config, LD_LIBRARY_PATH: '/usr/lib/plexmediaserver/lib', PLEXBEAM_FAKE_REAL_LOG: plex.realLog });

t.test('-version goes straight to Plex Transcoder.real: same argv, env and cwd, its output and exit code', async (t) => {
  const before = (await readFakeRealCalls(plex.realLog)).length;
  const run = await runShim(plex, ['-version'], { env, cwd });
  t.equal(run.code, 0);
  t.match(run.stdout, /^ffmpeg version 1\.2\.3-plex/, "the stand-in's banner, on stdout");
  t.equal(run.stderr, '', 'nothing of the cartridge on stderr');
  const calls = await readFakeRealCalls(plex.realLog);
  t.equal(calls.length, before + 1);
  const call = calls.at(-1)!;
  t.same(call.argv, ['-version']);
  t.equal(call.cwd, cwd);
  t.equal(call.program, plex.real);
  // sh itself sets PWD (dash does even when Plex did not): the one difference, and it is the cwd.
  t.same(call.env, { ...env, PWD: cwd }, "Plex's environment, LD_LIBRARY_PATH and X_PLEX_TOKEN included");
});

t.test('an unclassified call passes through and its exit code comes back', async (t) => {
  const run = await runShim(plex, ['-hide_banner', '-nonsense'], { env: { ...env, PLEXBEAM_FAKE_REAL_MODE: 'exit:3' }, cwd });
  t.equal(run.code, 3);
  t.match(run.stderr, /exiting 3/);
  t.same((await readFakeRealCalls(plex.realLog)).at(-1)?.argv, ['-hide_banner', '-nonsense']);
});

t.test('signals reach the real transcoder and the shim dies as it did', async (t) => {
  const run = startShim(plex, ['-i', 'in.mkv', '-c:a', 'flac', 'out.flac'], { env: { ...env, PLEXBEAM_FAKE_REAL_MODE: 'sleep' }, cwd });
  const real = await until(async () => (await readFakeRealCalls(plex.realLog)).find((c) => c.mode === 'sleep' && c.argv.includes('out.flac')), 10_000, 'the real transcoder runs');
  // The cartridge is the shim's process (exec): Node runs with a clean environment.
  const cartridgeEnv = processEnv(run.proc.pid!);
  t.same(Object.keys(cartridgeEnv).sort(), ['PATH', 'PLEXBEAM_ENV', 'PLEXBEAM_SHIM'], 'Node gets only PATH and what the shim passes');
  t.notOk(cartridgeEnv.PATH?.includes(env.PATH!), "not Plex's PATH");
  run.proc.kill('SIGTERM');
  const end = await run.exited;
  t.same({ code: end.code, signal: end.signal }, { code: null, signal: 'SIGTERM' }, 'died by SIGTERM, as the real one did');
  t.same((await readFakeRealCalls(plex.realLog)).find((c) => c.pid === real.pid)?.signals, ['SIGTERM']);
});

t.test('an environment that would break Node (NODE_OPTIONS, LD_PRELOAD) is handed to the real transcoder intact', async (t) => {
  const dump = join(dir, 'env-dump');
  const shellPlex = await installShim(join(dir, 'shell'));
  writeShellReal(shellPlex, `/usr/bin/env > '${dump}'; echo "real ran: $*" >&2; exit 0`);
  const hostile = { ...env, NODE_OPTIONS: '--no-such-node-flag', NODE_PATH: '/nowhere', LD_PRELOAD: '', "WEIRD": "it's \"quoted\" $HOME `x`\nsecond line\\" };
  const run = await runShim(shellPlex, ['-version'], { env: hostile, cwd });
  t.equal(run.code, 0, run.stderr);
  t.match(run.stderr, /real ran: -version/);
  const dumped = readFileSync(dump, 'utf8');
  for (const [name, value] of Object.entries(hostile)) t.ok(dumped.includes(`${name}=${value}\n`), `${name} reaches the real transcoder as Plex set it`);
});

t.test('audio-only and detection run locally on purpose; every invocation has its session row', async (t) => {
  mkdirSync(join(dir, 'session', 'Detection'), { recursive: true });
  const audio = await runShim(plex, ['-i', '/media/song.flac', '-c:a', 'libmp3lame', '-b:a', '320k', '-f', 'mp3', 'song.mp3'], { env, cwd });
  t.equal(audio.code, 0);
  const rows = await readSessions(dir);
  const byArgv = (needle: string) => rows.find((row) => row.argv.includes(needle));
  t.match(byArgv('song.mp3'), { kind: 'audio-only', decision: 'local', reason: /audio-only/, exitCode: 0, worker: null, cwd, audioCodecOut: 'libmp3lame' });
  t.match(byArgv('-version'), { kind: 'capability-query', decision: 'local', reason: /pass-through/, exitCode: 0 });
  t.match(byArgv('-nonsense'), { kind: 'unknown', decision: 'local', exitCode: 3 });
  t.match(byArgv('out.flac'), { signal: 'SIGTERM', exitCode: null });
  for (const row of rows) {
    t.ok(row.endedAt !== null && row.endedAt >= row.startedAt, 'start and end times');
    t.ok(row.envNames.includes('X_PLEX_TOKEN') && !JSON.stringify(row).includes('local-plex-token'), 'env names only, never the token');
  }
});

t.test('a broken config never breaks Plex: one line on stderr, then the real transcoder', async (t) => {
  const run = await runShim(plex, ['-version'], { env: { ...env, PLEXBEAM_CONFIG: join(dir, 'missing.json') }, cwd });
  t.equal(run.code, 0);
  t.match(run.stdout, /ffmpeg version/);
  t.match(run.stderr, /^plexbeam: cannot read config file .*missing\.json.*; running Plex Transcoder\.real\n$/);
});
