// Failover with real processes (issue 13), no second worker: the worker SIGKILLed mid-stream and
// Plex's transcoder goes on with the rewritten argv from the first segment Plex lacks (corpus 20
// HLS and corpus 12 DASH, the first run on shared storage and in stream mode, with a stand-in
// that speaks Plex's argv; and a Plex-shaped ssegment argv run by stock ffmpeg itself). The
// matrix with a second worker is in failover-hls.test.ts and failover-dash.test.ts; every case's
// checks are in failover-cases.ts. Corpus 05 (Optimize, one mp4) is written again from the start.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { caseName, dir, FPS, plex, resumesOf, roots, runFailoverCase, sampleArgv, SECONDS, videoTimeline, type FailoverCase } from './failover-cases.ts';
import { API_KEY, plexEnv, processesWith, startShim, until, writeConfig } from './helpers.ts';
import { startRealWorker } from './workers.ts';

// Six plays paced by -re (10 s of media each, ~15 s a case): past tap's 180 s on a loaded machine.
t.setTimeout(360_000);

const cases: FailoverCase[] = [
  { sample: 'hls', storage: 'shared', fault: 'local' },
  { sample: 'hls', storage: 'stream', fault: 'local' },
  { sample: 'dash', storage: 'shared', fault: 'local' },
  { sample: 'dash', storage: 'stream', fault: 'local' },
  { sample: 'hls-stock', storage: 'shared', fault: 'local' },
];
for (const c of cases) t.test(caseName(c), (t) => runFailoverCase(t, c));

t.test('05 Optimize (one mp4, no segments): the worker SIGKILLed mid-file; the other worker writes it again from the beginning', async (t) => {
  const a = await startRealWorker(dir, roots);
  const b = await startRealWorker(dir, roots);
  t.teardown(() => Promise.all([a.stop('SIGKILL'), b.stop('SIGKILL')]));
  const session = join(dir, 'tx', 'optimize');
  t.teardown(() => {
    for (const pid of processesWith(session)) process.kill(pid, 'SIGKILL');
  });
  const argv = sampleArgv('05', session, [[/w=1280:h=720/, 'w=320:h=180']]);
  const target = argv.at(-1) as string;
  const config = writeConfig(dir, { workers: [{ url: a.url, apiKey: API_KEY, name: 'a', weight: 100 }, { url: b.url, apiKey: API_KEY, name: 'b' }] });
  const run = startShim(plex, argv, { env: plexEnv({ PLEXBEAM_CONFIG: config }), cwd: session });
  await until(() => a.logs.find((l) => l.msg === 'job started' && l.cwd === session), 20_000, 'a starts the job');
  // `-re`: 10 s of media take 10 s; 3 s in, the file is part written.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  a.proc.kill('SIGKILL');
  const end = await run.exited;
  t.equal(end.code, 0, run.stderr().slice(-3000));
  t.match(run.stderr(), /going on from the beginning/);
  t.ok(b.logs.some((l) => l.msg === 'job started' && l.cwd === session), 'b wrote it again');
  const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', target], { encoding: 'utf8' });
  t.equal(probe.status, 0, probe.stderr);
  t.ok(Math.abs(Number(probe.stdout) - SECONDS) < 0.5, `the mp4 is whole: ${probe.stdout.trim()} s`);
  // `-r:0 24` (cfr) repeats the first frame of this source, whose video starts 21 ms in, as an uninterrupted run does: 240 or 241.
  const mp4 = videoTimeline(target);
  t.ok(mp4.frames === SECONDS * FPS || mp4.frames === SECONDS * FPS + 1, `the mp4 has every frame (${mp4.frames})`);
  t.ok(mp4.pts.slice(1).every((p, i) => p - (mp4.pts[i] as number) > 0 && p - (mp4.pts[i] as number) <= 1 / FPS + 0.002), 'one frame apart throughout');
  const { resumes } = await resumesOf(session);
  t.match(resumes, [{ from: 'a', to: 'b', reason: 'worker-lost', segment: 0 }]);
});
