// `plexbeam library scan` and `library list` end to end: the built CLI on generated clips (H.264/MKV
// and HEVC/MP4, two audio tracks, a subtitle, chapters), a broken file, an audio-only file, a text
// file and the library's own byproducts, against a real SQLite session log; a rescan probes only
// what changed (size+mtime), counted by a logging ffprobe wrapper on PATH.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, realpathSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { BIN } from '../cartridge/helpers.ts';
import { haveFfmpeg, makeClip } from './clips.ts';

if (!haveFfmpeg()) {
  t.plan(0, 'ffmpeg and ffprobe are not on PATH');
  process.exit(0);
}

const dir = realpathSync(t.testdir({ media: { Films: { 'Plex Versions': {} }, Shows: { 'Season 1': {} } }, data: {}, bin: {} }));
const films = join(dir, 'media', 'Films');
const season = join(dir, 'media', 'Shows', 'Season 1');
const h264 = makeClip(join(films, 'H264 Film.mkv'), { codec: 'h264' });
const hevc = makeClip(join(season, 'HEVC Episode.mp4'), { codec: 'hevc', container: 'mp4' });
const broken = join(films, 'Broken.mkv');
writeFileSync(broken, randomBytes(8192));
const audioOnly = join(films, 'Audio Only.mkv');
const made = spawnSync('ffmpeg', ['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', 'sine=duration=2', '-c:a', 'aac', audioOnly]);
if (made.status !== 0) throw new Error(String(made.stderr));
const avi = join(films, 'Old.avi');
const aviRun = spawnSync('ffmpeg', ['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:duration=2', '-c:v', 'libx264', '-b:v', '2M', avi]);
if (aviRun.status !== 0) throw new Error(String(aviRun.stderr));
// Never scanned: a text file, a hidden file, Plex's optimized versions, an encode's temporary output, a kept original.
writeFileSync(join(films, 'notes.txt'), 'not a video\n');
writeFileSync(join(films, '.hidden.mkv'), 'x');
writeFileSync(join(films, 'Plex Versions', 'Optimized.mkv'), 'x');
writeFileSync(join(films, '.H264 Film.plexbeam-job1x1.mkv'), 'x');
writeFileSync(join(films, 'H264 Film.orig.mkv'), 'x');

// ffprobe on PATH, logging each file it is asked about.
const probes = join(dir, 'probes.log');
const wrapper = join(dir, 'bin', 'ffprobe');
const realFfprobe = spawnSync('sh', ['-c', 'command -v ffprobe'], { encoding: 'utf8' }).stdout.trim();
writeFileSync(wrapper, `#!/bin/sh\nfor last; do :; done\nprintf '%s\\n' "$last" >> '${probes}'\nexec '${realFfprobe}' "$@"\n`);
chmodSync(wrapper, 0o755);
const probed = () => readFileSync(probes, 'utf8').split('\n').filter((line) => line !== '');

const config = join(dir, 'config.json');
writeFileSync(config, JSON.stringify({ dataDir: join(dir, 'data') }));
const env = { PATH: `${join(dir, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: dir };
const cli = (...args: string[]) => spawnSync(BIN, ['library', ...args, '--config', config], { env, encoding: 'utf8', timeout: 60_000 });
const db = () => new Database(join(dir, 'data', 'sessions.db'), { readonly: true });
const VIDEOS = 5;

t.test('scan --json probes every video file and records it in the session log', async (t) => {
  const run = cli('scan', join(dir, 'media'), '--json');
  t.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout);
  t.match(out, { found: VIDEOS, probed: VIDEOS - 1, unchanged: 0, unreadable: 1, removed: 0 });
  t.match(out.totals, { files: VIDEOS, candidates: 1 });
  t.ok(out.totals.could_save_bytes > 0);
  t.same(probed().sort(), [broken, audioOnly, h264, avi, hevc].sort(), 'one ffprobe per video file, none of the byproducts');

  const conn = db();
  t.teardown(() => conn.close());
  const rows = conn.prepare('SELECT path, codec, state, reason, duration_s, chapters, streams, estimated_saving FROM library_files ORDER BY path').all() as any[];
  t.same(rows.map((r) => r.path), [audioOnly, broken, h264, avi, hevc].sort());
  const film = rows.find((r) => r.path === h264);
  t.match(film, { codec: 'h264', state: 'candidate', reason: null, chapters: 2 });
  t.ok(Math.abs(film.duration_s - 3) < 0.2, `duration ${film.duration_s}`);
  t.ok(film.estimated_saving > 0);
  t.same(JSON.parse(film.streams).map((s: any) => `${s.type}:${s.codec}:${s.language ?? ''}`), ['video:h264:', 'audio:aac:eng', 'audio:aac:fra', 'subtitle:subrip:eng', 'attachment:ttf:']);
  t.match(rows.find((r) => r.path === hevc), { codec: 'hevc', state: 'skipped', reason: 'already HEVC', chapters: 2 });
  t.match(rows.find((r) => r.path === broken), { codec: null, state: 'skipped', reason: `ffprobe cannot read ${broken}: Invalid data found when processing input` });
  t.match(rows.find((r) => r.path === audioOnly), { state: 'skipped', reason: 'no video stream' });
  t.match(rows.find((r) => r.path === avi), { codec: 'h264', state: 'skipped', reason: /^a \.avi file: only \.mkv, \.mp4, \.m4v and \.mov are re-encoded/ });
});

t.test('a rescan skips unchanged files (size and mtime) and probes a changed one', async (t) => {
  rmSync(probes);
  const again = cli('scan', join(dir, 'media'));
  t.equal(again.status, 0, again.stderr);
  t.match(again.stdout, `${VIDEOS} video files: 0 probed, ${VIDEOS} unchanged since the last scan, 0 unreadable`);
  t.match(again.stdout, /\d+ files · 1 candidate could save [\d.]+ [kM]B · 0 done, 0 B saved/);
  t.notOk(readFileSync(probes, { flag: 'a+' }).length, 'ffprobe not run at all');

  const later = new Date(Date.now() + 5000);
  utimesSync(h264, later, later);
  const touched = cli('scan', join(dir, 'media'));
  t.equal(touched.status, 0, touched.stderr);
  t.match(touched.stdout, `candidate  ${h264}\n`);
  t.match(touched.stdout, `${VIDEOS} video files: 1 probed, ${VIDEOS - 1} unchanged`);
  t.same(probed(), [h264], 'only the touched file probed again');
});

t.test('the broken file is said to be unreadable, with the reason, and the scan goes on', async (t) => {
  writeFileSync(broken, randomBytes(9000)); // changed: probed again
  const run = cli('scan', join(dir, 'media'));
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout, `unreadable  ${broken} (ffprobe cannot read ${broken}: Invalid data found when processing input)\n`);
  t.match(run.stdout, '0 probed, 4 unchanged since the last scan, 1 unreadable');
});

t.test('list shows every file with its state and the total it could save; --candidates and --json', async (t) => {
  const text = cli('list');
  t.equal(text.status, 0, text.stderr);
  t.match(text.stdout, new RegExp(`^candidate +h264 +[\\d.]+ MB  ${h264} ~[\\d.]+ [kM]B to save$`, 'm'));
  t.match(text.stdout, new RegExp(`^skipped +hevc .*${hevc}\\n    already HEVC$`, 'm'));
  t.match(text.stdout, new RegExp(`^skipped +- .*${broken}\\n    ffprobe cannot read`, 'm'));
  t.match(text.stdout, /^5 files · 1 candidate could save [\d.]+ [kM]B · 0 done, 0 B saved$/m);

  const all = JSON.parse(cli('list', '--json').stdout);
  t.equal(all.files.length, VIDEOS);
  for (const file of all.files) t.ok(['candidate', 'skipped'].includes(file.state), `${file.path}: ${file.state}`);
  const json = JSON.parse(cli('list', '--candidates', '--json').stdout);
  t.same(json.files.map((f: any) => f.path), [h264], 'only the candidate');
  t.match(json.files[0], { codec: 'h264', state: 'candidate', saved_bytes: 0, chapters: 2, reason: null, job: null });
  t.equal(json.totals.could_save_bytes, json.files[0].estimated_saving_bytes, 'the total is the sum of the candidates');
  t.match(json.totals, { files: VIDEOS, candidates: 1, queued: 0, encoding: 0, done: 0, failed: 0, saved_bytes: 0 });

  // For AV1 the HEVC episode is a candidate too.
  const av1 = JSON.parse(cli('list', '--candidates', '--json', '--codec', 'av1').stdout);
  t.same(av1.files.map((f: any) => f.path).sort(), [h264, hevc].sort());
  t.equal(av1.totals.could_save_bytes, av1.files.reduce((sum: number, f: any) => sum + f.estimated_saving_bytes, 0));
});

t.test('a file gone since the last scan is dropped from the list', async (t) => {
  const gone = join(films, 'Gone.mkv');
  makeClip(gone, { codec: 'h264', seconds: 1 });
  t.equal(JSON.parse(cli('scan', films, '--json').stdout).probed, 1);
  rmSync(gone);
  const run = cli('scan', films);
  t.match(run.stdout, ', 1 gone\n');
  t.notOk(JSON.parse(cli('list', '--json').stdout).files.some((f: any) => f.path === gone));
});

t.test('usage errors exit 2 and say what is wrong', async (t) => {
  const none = cli('scan');
  t.equal(none.status, 2);
  t.match(none.stderr, 'library scan: name at least one folder');
  const missing = cli('scan', join(dir, 'nowhere'));
  t.equal(missing.status, 2);
  t.match(missing.stderr, `library scan: ENOENT`);
  t.match(missing.stderr, join(dir, 'nowhere'));
  const file = cli('scan', h264);
  t.equal(file.status, 2);
  t.match(file.stderr, `${h264} is not a folder`);
  const codec = cli('list', '--codec', 'vp9');
  t.equal(codec.status, 2);
  t.match(codec.stderr, /--codec|Invalid values/);
  mkdirSync(join(dir, 'empty'));
  const empty = cli('scan', join(dir, 'empty'), '--json');
  t.equal(empty.status, 0);
  t.match(JSON.parse(empty.stdout), { found: 0, probed: 0 });
});
