// `plexbeam status` shows the library: totals (done, saved, failed) and each job in progress (percent,
// speed, ETA, worker), text and --json; nothing of the library before anything was scanned. The
// session log is written by the library's own code (scan and store), then read by the built CLI.
import { spawnSync } from 'node:child_process';
import { realpathSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { openLibraryStore } from '../../core/session-log/library-store.ts';
import { scanLibrary } from '../../library/scan.ts';
import { BIN } from '../cartridge/helpers.ts';
import { haveFfmpeg, makeClip } from './clips.ts';

if (!haveFfmpeg()) {
  t.plan(0, 'ffmpeg and ffprobe are not on PATH');
  process.exit(0);
}

const dir = realpathSync(t.testdir({ media: {}, data: {} }));
const config = join(dir, 'config.json');
writeFileSync(config, JSON.stringify({ dataDir: join(dir, 'data'), workers: [], server: { fleetFile: join(dir, 'fleet.json') } }));
const status = (...args: string[]) => spawnSync(BIN, ['status', ...args, '--config', config], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir }, encoding: 'utf8', timeout: 30_000 });

t.test('no library section before anything was scanned', async (t) => {
  const run = status('--json');
  t.equal(run.status, 3, 'no worker up');
  t.notOk('library' in JSON.parse(run.stdout));
  t.notMatch(status().stdout, 'Library:');
});

t.test('totals and the jobs in progress', async (t) => {
  const paths = ['A.mkv', 'B.mkv', 'C.mkv', 'D.mkv'].map((name) => makeClip(join(dir, 'media', name), { codec: 'h264', seconds: 1 }));
  const [a, b, c, d] = paths as [string, string, string, string];
  const store = openLibraryStore(join(dir, 'data', 'sessions.db'));
  t.teardown(() => store.close());
  t.match(await scanLibrary(store, [join(dir, 'media')], { concurrency: 1 }), { found: 4, probed: 4 });
  const job = (path: string) => store.queueJob({ path, codec: 'hevc', quality: null, minSavings: 5, keepOriginal: false });
  // A: replaced (what the finish records), B: failed, C: encoding at 42 %, D: queued.
  const done = job(a);
  store.updateJob(done, { state: 'done', savedBytes: 600_000, endedAt: Date.now() });
  store.setFileOutcome(a, 'done', null, { size: statSync(a).size - 600_000, mtimeMs: statSync(a).mtimeMs, codec: 'hevc', savedBytes: 600_000 });
  const failed = job(b);
  store.updateJob(failed, { state: 'failed', error: 'verification failed: duration 0.50 s instead of 1.00 s' });
  store.setFileOutcome(b, 'failed', 'verification failed: duration 0.50 s instead of 1.00 s');
  const encoding = job(c);
  store.updateJob(encoding, { state: 'encoding', worker: 'gpu', percent: 42.4, speed: 1.87, etaS: 12.2 });
  job(d);

  const json = JSON.parse(status('--json').stdout);
  t.match(json.library.totals, { files: 4, done: 1, failed: 1, encoding: 1, queued: 1, saved_bytes: 600_000 });
  t.same(json.library.jobs.map((j: any) => [j.path, j.state]), [[c, 'encoding'], [d, 'queued']]);
  t.match(json.library.jobs[0], { id: encoding, codec: 'hevc', worker: 'gpu', percent: 42.4, speed: 1.87, eta_s: 12.2, note: null });

  const text = status().stdout;
  t.match(text, /\nLibrary: 1 done, 600 kB saved · 1 failed · 1 encoding, 1 queued\n/);
  t.match(text, `  #${encoding} HEVC 42 % 1.87× ETA 12 s on gpu: ${c}\n`);
  t.notMatch(text, `: ${d}`, 'a queued job is counted, not listed');

  store.updateJob(encoding, { state: 'finishing', error: 'waiting to replace: Plex is playing it (a live session in the session log)' });
  t.match(status().stdout, `  #${encoding} HEVC verifying on gpu: ${c} (waiting to replace: Plex is playing it`);
});
