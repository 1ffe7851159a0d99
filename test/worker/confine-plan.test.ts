// What one job's sandbox binds, on Plex's own layout of a transcode folder (worker/confine/job-sandbox.ts).
import { realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { planJobSandbox } from '../../worker/confine/index.ts';
import { bwrapArgs } from '../../worker/confine/bwrap-args.ts';

const dir = realpathSync(t.testdir({
  media: { Movies: { 'film.mkv': 'x', 'Plex Versions': { 'Optimized for TV': {} } } },
  tx: { Transcode: { Sessions: { 'plex-transcode-A': {}, 'plex-transcode-B': { 'seg.ts': 'b' } }, Detection: {}, Cache: { 'sub.srt': 's' } } },
  outside: { 'secret.txt': 's' },
}));
const media = join(dir, 'media');
const tx = join(dir, 'tx');
const cwd = join(tx, 'Transcode', 'Sessions', 'plex-transcode-A');
symlinkSync(join(dir, 'outside'), join(cwd, 'escape'));
const OWN = [cwd, '/tmp/plexbeam-worker/jobs/j1'].sort();
const sorted = (paths: readonly string[]) => [...paths].sort();
const plan = (args: string[], inputs: string[] = []) =>
  planJobSandbox({ args, cwd, inputs, mediaRoots: [media], transcodeRoots: [tx], scratch: ['/tmp/plexbeam-worker/jobs/j1'], devices: [] });

t.test("a Plex HLS job: media read-only, its session folder and scratch read-write, no network", async (t) => {
  const spec = plan(['-i', join(media, 'Movies', 'film.mkv'), '-f', 'segment', 'media-%05d.ts'], [join(media, 'Movies', 'film.mkv')]);
  t.same(spec.readOnlyTry, [media]);
  t.same(sorted(spec.readWrite), OWN);
  t.same(spec.readOnly, []);
  t.same({ network: spec.network, reason: spec.networkReason }, { network: false, reason: null });
});

t.test("outside the job's folder: Detection and Plex Versions outputs, an input file; never another job's", async (t) => {
  const detection = plan(['-i', 'x', '-f', 'flac', join(tx, 'Transcode', 'Detection', '076b1dde')]);
  t.ok(detection.readWrite.includes(join(tx, 'Transcode', 'Detection')), "Plex's Detection folder, for its output");
  const optimized = plan(['-i', 'x', join(media, 'Movies', 'Plex Versions', 'Optimized for TV', '.inProgress', 'f.mp4')]);
  t.ok(optimized.readWrite.includes(join(media, 'Movies', 'Plex Versions', 'Optimized for TV')), 'the nearest existing folder inside Plex Versions');
  t.same(sorted(plan(['-i', 'x', join(media, 'Movies', 'evil.mkv')]).readWrite), OWN, 'the rest of a media root stays read-only');
  const sub = join(tx, 'Transcode', 'Cache', 'sub.srt');
  t.same(plan(['-i', sub], [sub]).readOnly, [sub], 'an input file elsewhere in the transcode root: that file, read-only');
  const other = join(tx, 'Transcode', 'Sessions', 'plex-transcode-B', 'seg.ts');
  const spec = plan(['-i', other, '-vf', `subtitles=filename=${other}`, '../plex-transcode-B/out.ts'], [other]);
  t.same([spec.readOnly, sorted(spec.readWrite)], [[], OWN], "another job's folder is never bound, read or write");
  t.same(sorted(plan(['-i', 'x', join(tx, 'Transcode', 'Missing', 'x.flac')]).readWrite), OWN,
    'a missing folder whose nearest existing parent holds the sessions is not bound');
  t.same(plan(['-i', 'escape/secret.txt'], ['escape/secret.txt']).readOnly, [], 'a symlink out of the roots binds nothing');
});

t.test('the network is shared only for a plain network URL; bwrap arguments follow', async (t) => {
  t.match(plan(['-i', 'http://tv.example/live.ts', 'o.ts']), { network: true, networkReason: 'argument 1 is a http:// URL' });
  t.match(plan(['-i', 'concat:http://a/b|c', 'o.ts']), { network: true });
  t.match(plan(['-i', 'file:///x', '-vf', 'subtitles=http\\:\\/\\/x', 'o.ts']), { network: false }, 'file:// and escaped URLs do not count');
  const args = bwrapArgs(plan(['-i', 'x', 'o.ts']));
  t.same(args.slice(0, 4), ['--unshare-all', '--die-with-parent', '--cap-drop', 'ALL']);
  t.notOk(args.includes('--share-net'));
  t.ok(bwrapArgs(plan(['-i', 'http://a/b', 'o.ts'])).includes('--share-net'));
  t.same(args.slice(-3), ['--chdir', cwd, '--']);
  t.notOk(args.some((arg) => arg === '/etc' || arg === '/home' || arg === '/root' || arg === '/etc/passwd'), 'nothing of /etc beyond what ffmpeg opens');
  t.notOk(args.includes('/sys'), 'no /sys without a device');
  t.ok(bwrapArgs({ ...plan(['-i', 'x', 'o.ts']), devices: ['/dev/dri'] }).join(' ').includes('--dev-bind /dev/dri /dev/dri --ro-bind /sys /sys'));
});
