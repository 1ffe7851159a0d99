// Fallbacks after the worker took the job, and when the cartridge itself fails: nothing has reached
// Plex yet, so Plex's own transcoder runs with the identical argv, env and cwd. And a SIGKILLed
// cartridge takes the local transcoder with it (parent-death signal).
import { chmodSync, cpSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { readFakeRealCalls, startFakePms } from '../harness/index.ts';
import { API_KEY, ROOT, installShim, makeMedia, plexEnv, processesWith, readSessions, runShim, startShim, until, writeConfig, type PlexDir } from './helpers.ts';
import { startRealWorker } from './workers.ts';
import { renderShim } from '../../core/cartridge-shim.ts';

const dir = realpathSync(t.testdir({ tx: { nostart: {}, strict: {}, bundle: {}, thrown: {}, orphan: {} }, bin: {} }));
const IN = makeMedia(join(dir, 'media', 'in.mkv'), 3);
const pms = await startFakePms();
t.teardown(() => pms.close());
const plex = await installShim(dir);
const SESSION = '/video/:/transcode/session/late/1';
/** Plex's segment shape on stock ffmpeg (the stand-in runs it in ffmpeg mode): segments in the folder, the list POSTed. */
const segmentArgv = (name: string) => ['-i', IN, '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '24', '-c:a', 'aac', '-f', 'segment', '-segment_time', '1',
  '-segment_list', `${pms.url}${SESSION}/${name}/manifest?X-Plex-Http-Pipeline=infinite`, '-segment_list_type', 'csv', 'media-%05d.ts'];
const segments = (name: string) => readdirSync(join(dir, 'tx', name)).filter((f) => /^media-\d+\.ts$/.test(f));

t.test('a worker whose ffmpeg cannot start (after the 202): Plex Transcoder.real runs it, Plex gets its segments', async (t) => {
  // ffmpeg works for the worker's hardware probe at start-up, then is gone (an upgrade half done).
  const ffmpeg = join(dir, 'bin', 'ffmpeg');
  writeFileSync(ffmpeg, '#!/bin/sh\nexec ffmpeg "$@"\n', { mode: 0o755 });
  const worker = await startRealWorker(dir, { ffmpegPath: ffmpeg, mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')] });
  t.teardown(() => worker.stop());
  chmodSync(ffmpeg, 0o644);
  const cwd = join(dir, 'tx', 'nostart');
  const config = writeConfig(dir, { workers: [{ url: worker.url, apiKey: API_KEY, name: 'gpu' }] });
  const run = await runShim(plex, segmentArgv('nostart'), { env: plexEnv({ PLEXBEAM_CONFIG: config, PLEXBEAM_FAKE_REAL_MODE: 'ffmpeg' }), cwd });
  t.equal(run.code, 0, run.code === 0 ? "the real transcoder's exit code" : run.stderr.slice(-2000));
  t.match(run.stderr, /plexbeam: gpu failed the job before any output: .*; running Plex Transcoder\.real\n/);
  const real = (await readFakeRealCalls(plex.realLog)).find((c) => c.cwd === cwd);
  t.same(real?.argv, segmentArgv('nostart'), 'the real transcoder got the identical argv');
  t.ok(segments('nostart').length >= 3, `segments in the session folder: ${segments('nostart').join(' ')}`);
  t.ok(pms.requests.some((r) => r.path === `${SESSION}/nostart/manifest` && /media-00000\.ts/.test(r.bodyText)), 'the segment list reached Plex');
  t.ok(worker.logs.some((l) => /^job failed/.test(l.msg ?? '') && l.session_id !== undefined), 'the worker had taken the job, and failed it');
  t.match((await readSessions(dir)).find((r) => r.cwd === cwd), { decision: 'fallback', fallbackReason: 'failed-before-output', worker: 'gpu', exitCode: 0, reason: /gpu failed the job before any output/ });
});

t.test('the same with fallbackToLocal false: the worker\'s failure, said, and a non-zero exit', async (t) => {
  const ffmpeg = join(dir, 'bin', 'ffmpeg-strict');
  writeFileSync(ffmpeg, '#!/bin/sh\nexec ffmpeg "$@"\n', { mode: 0o755 });
  const worker = await startRealWorker(dir, { ffmpegPath: ffmpeg, mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')] });
  t.teardown(() => worker.stop());
  rmSync(ffmpeg);
  const cwd = join(dir, 'tx', 'strict');
  const config = writeConfig(dir, { workers: [{ url: worker.url, apiKey: API_KEY, name: 'gpu' }], fallbackToLocal: false });
  const run = await runShim(plex, segmentArgv('strict'), { env: plexEnv({ PLEXBEAM_CONFIG: config }), cwd });
  t.equal(run.code, 1);
  t.match(run.stderr, /plexbeam: gpu failed the job before any output: .*; not running it locally because fallbackToLocal is false\n$/);
  t.notOk((await readFakeRealCalls(plex.realLog)).some((c) => c.cwd === cwd), 'Plex Transcoder.real did not run');
});

/** A Plex folder whose shim runs a copy of dist/ in which `change` broke the cartridge's bundle. */
async function brokenInstall(name: string, change: (cartridgeDir: string) => void): Promise<PlexDir> {
  const app = join(dir, `app-${name}`);
  cpSync(join(ROOT, 'dist', 'cartridge'), join(app, 'dist', 'cartridge'), { recursive: true });
  cpSync(join(ROOT, 'dist', 'core'), join(app, 'dist', 'core'), { recursive: true });
  writeFileSync(join(app, 'package.json'), '{ "type": "module" }\n');
  change(join(app, 'dist', 'cartridge'));
  const broken = await installShim(join(dir, name));
  writeFileSync(broken.shim, renderShim({ nodePath: process.execPath, cartridgeMain: join(app, 'dist', 'cartridge', 'main.js') }), { mode: 0o755 });
  return broken;
}

t.test('a cartridge bundle that is missing or corrupt: Plex Transcoder.real still runs', async (t) => {
  const variants: [string, (cartridgeDir: string) => void][] = [
    ['missing', (c) => rmSync(join(c, 'run.js'))],
    ['corrupt', (c) => writeFileSync(join(c, 'run.js'), 'export const runCartridge = (;\n')],
    ['truncated', (c) => writeFileSync(join(c, 'run.js'), '\0\0\0')],
  ];
  for (const [name, change] of variants) {
    const broken = await brokenInstall(name, change);
    const argv = ['-i', IN, '-c:v', 'libx264', '-f', 'mp4', `${name}.mp4`];
    const run = await runShim(broken, argv, { env: plexEnv({ PLEXBEAM_CONFIG: writeConfig(dir, { workers: [] }) }), cwd: join(dir, 'tx', 'bundle') });
    t.equal(run.code, 0, `${name}: the real transcoder's exit code${run.code === 0 ? '' : ` (${run.stderr})`}`);
    t.match(run.stderr, /^plexbeam: cartridge failure: .*; running Plex Transcoder\.real\n[\s\S]*stand-in: ok/, `${name}: one line, then the real transcoder`);
    const call = (await readFakeRealCalls(broken.realLog)).find((c) => c.argv.includes(`${name}.mp4`));
    t.same(call?.argv, argv, `${name}: identical argv`);
    t.equal(call?.cwd, join(dir, 'tx', 'bundle'), `${name}: same cwd`);
    t.match(call?.env, { X_PLEX_TOKEN: plexEnv().X_PLEX_TOKEN, PLEX_MEDIA_SERVER_HOME: '/usr/lib/plexmediaserver' }, `${name}: Plex's environment`);
  }
});

t.test('an unexpected exception in the cartridge before any output (awaited, or in an event handler): Plex Transcoder.real runs', async (t) => {
  const variants = {
    thrown: 'export async function runCartridge() { throw new TypeError("a PlexBeam bug"); }\n',
    handler: 'export function runCartridge() { setTimeout(() => { throw new TypeError("a PlexBeam bug"); }, 50); return new Promise(() => undefined); }\n',
  };
  for (const [name, code] of Object.entries(variants)) {
    const broken = await brokenInstall(name, (c) => writeFileSync(join(c, 'run.js'), code));
    const run = await runShim(broken, ['-i', IN, '-c:v', 'libx264', '-f', 'mp4', `${name}.mp4`], { env: plexEnv(), cwd: join(dir, 'tx', 'thrown') });
    t.equal(run.code, 0, name);
    t.match(run.stderr, /^plexbeam: cartridge failure: TypeError: a PlexBeam bug.*; running Plex Transcoder\.real\n/, name);
    t.ok((await readFakeRealCalls(broken.realLog)).some((c) => c.argv.includes(`${name}.mp4`)), `${name}: the real transcoder ran`);
  }
});

t.test('Plex SIGKILLs the cartridge while Plex Transcoder.real runs locally: the transcoder dies too', async (t) => {
  const cwd = join(dir, 'tx', 'orphan');
  // Audio-only runs locally on purpose; the stand-in sleeps until it is signalled.
  const run = startShim(plex, ['-i', IN, '-vn', '-c:a', 'flac', 'orphan.flac'], { env: plexEnv({ PLEXBEAM_CONFIG: writeConfig(dir, { workers: [] }), PLEXBEAM_FAKE_REAL_MODE: 'sleep' }), cwd });
  const real = await until(async () => (await readFakeRealCalls(plex.realLog)).find((c) => c.argv.includes('orphan.flac')), 15_000, 'the real transcoder runs');
  t.ok(processesWith('orphan.flac').includes(real.pid), 'the stand-in runs');
  // 'exit', not the end of its output: an orphan would hold the shim's stderr open.
  const cartridgeGone = new Promise((resolve) => run.proc.once('exit', resolve));
  run.proc.kill('SIGKILL');
  await cartridgeGone;
  const gone = await until(() => (processesWith('orphan.flac').includes(real.pid) ? undefined : true), 10_000, 'the stand-in is gone').catch(() => false);
  t.ok(gone, `Plex Transcoder.real (pid ${real.pid}) did not outlive the cartridge`);
  if (!gone) process.kill(real.pid, 'SIGKILL');
});
