// End to end: a real play through the installed shim (real worker, real ffmpeg reading at its
// native rate with -re, Plex's `-f segment` shape, a fake Plex Media Server) while the built
// `plexbeam server` keeps the fleet cache; `plexbeam status` (JSON and text) shows the live
// session with its worker's speed and its current segment, and the segment moves on.
import { spawnSync } from 'node:child_process';
import { realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { startFakePms } from '../harness/index.ts';
import { API_KEY, BIN, installShim, makeMedia, plexEnv, startShim, until } from '../cartridge/helpers.ts';
import { startRealWorker } from '../cartridge/workers.ts';
import { spawnServer } from './helpers.ts';

const dir = realpathSync(t.testdir({ tx: { play: {} } }));
const IN = makeMedia(join(dir, 'media', 'in.mkv'), 30);
const worker = await startRealWorker(dir, { mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')] });
t.teardown(() => worker.stop());
const pms = await startFakePms();
t.teardown(() => pms.close());
const plex = await installShim(dir);
const config = join(dir, 'config.json');
writeFileSync(config, JSON.stringify({
  dataDir: join(dir, 'data'), plexDir: plex.dir,
  workers: [{ url: worker.url, apiKey: API_KEY, name: 'gpu' }],
  server: { fleetFile: join(dir, 'run', 'fleet.json'), probeIntervalMs: 200, listen: '127.0.0.1:0' },
}));
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir };
const { logs } = spawnServer(t, config, env);
await logs.waitForLog((line) => line.msg === 'fleet monitor running');
const cli = (...args: string[]) => spawnSync(BIN, [...args, '--config', config], { env, encoding: 'utf8', timeout: 20_000 });

type Session = { id: string; decision: string; worker: string; speed: number | null; segment: number | null; out_time_s: number | null; job_state: string | null };
const liveSession = (minSegment: number) => {
  const run = cli('status', '--json');
  const session = (JSON.parse(run.stdout) as { sessions: Session[] }).sessions[0];
  return session !== undefined && session.segment !== null && session.segment >= minSegment ? session : undefined;
};

t.test('a live remote play: status shows its speed and current segment, and the segment moves on', async (t) => {
  const SESSION = '/video/:/transcode/session/5eed/0001';
  const argv = [
    '-re', '-i', IN, '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '24', '-c:a', 'aac', '-f', 'segment', '-segment_time', '1',
    '-segment_list', `${pms.url}${SESSION}/manifest?X-Plex-Http-Pipeline=infinite`, '-segment_list_type', 'csv', 'media-%05d.ts',
  ];
  const play = startShim(plex, argv, { env: plexEnv({ PLEXBEAM_CONFIG: config }), cwd: join(dir, 'tx', 'play') });
  t.teardown(() => {
    if (play.proc.exitCode === null && play.proc.signalCode === null) play.proc.kill('SIGTERM');
    return play.exited;
  });
  const first = await until(() => liveSession(1), 30_000, 'the live session with a segment in status --json');
  t.match(first, { decision: 'remote', worker: 'gpu', job_state: 'running' });
  t.ok(first.speed !== null && first.speed > 0, `a speed (${first.speed})`);
  t.ok(first.out_time_s !== null && first.out_time_s > 0, 'an output position');
  const later = await until(() => liveSession(first.segment! + 2), 30_000, 'a later segment');
  t.equal(later.id, first.id, 'the same session');
  const text = cli('status');
  t.equal(text.status, 0, text.stderr);
  t.match(text.stdout, new RegExp(`Sessions: 1 live\\n  ${first.id.slice(0, 8)} video-transcode on gpu · client [^\\n]* · for \\d+ s · \\d+\\.\\d\\d× · segment \\d+\\n`));
  play.proc.kill('SIGTERM');
  await play.exited;
  // Ended: the session log has its end, the worker no longer lists the job.
  await until(() => ((JSON.parse(cli('status', '--json').stdout) as { sessions: Session[] }).sessions.length === 0 ? true : undefined), 15_000, 'no live session');
});
