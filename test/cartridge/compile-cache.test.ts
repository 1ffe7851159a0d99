// The shim's compile cache (`/tmp/plexbeam-compile-cache-<uid>`: the shim gives Node a clean
// environment, so no TMPDIR) holds code that Node runs as is. /tmp is shared: a folder of that
// name made first by another user, one others may write, or a symlink would let them run code as
// Plex. The shim runs as user nobody here (its own folder name, untouched by other tests), once
// with the folder missing (made 0700, filled), and once per planted folder (left empty: the play
// runs without the cache, its answer the same).
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { installShim, plexEnv, writeConfig } from './helpers.ts';

const NOBODY = 65534;
const cacheDir = join('/tmp', `plexbeam-compile-cache-${NOBODY}`);
const asNobody = (file: string) => spawnSync('test', ['-x', file], { uid: NOBODY, gid: NOBODY }).status === 0;
const skip = process.getuid?.() !== 0 ? 'needs root to run the shim as another user' : !asNobody(process.execPath) ? `user nobody cannot run ${process.execPath} (a folder above it is private)` : false;

t.test('the compile cache is used only from a folder of the shim user\'s own', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'plexbeam-compile-cache-test-'));
  chmodSync(dir, 0o755);
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(cacheDir, { recursive: true, force: true });
  });
  const plex = await installShim(dir);
  const logs = join(dir, 'logs');
  mkdirSync(logs, { mode: 0o777 });
  chmodSync(logs, 0o777);
  // Its session log in a folder nobody may write.
  const env = { ...plexEnv({ PLEXBEAM_CONFIG: writeConfig(logs, { workers: [] }) }), PLEXBEAM_FAKE_REAL_LOG: join(logs, 'real.log') };
  if (!asNobody(plex.shim)) return void t.comment(`skipped: user nobody cannot run ${plex.shim}`);
  const play = () => spawnSync(plex.shim, ['-version'], { uid: NOBODY, gid: NOBODY, cwd: logs, env, encoding: 'utf8', timeout: 30_000 });
  const expectPlayed = (run: ReturnType<typeof play>, what: string) => {
    t.equal(run.status, 0, `${what}: exit 0`);
    t.match(run.stdout, /^ffmpeg version 1\.2\.3-plex/, `${what}: Plex's transcoder answered`);
    t.equal(run.stderr, '', `${what}: nothing on stderr`);
  };

  rmSync(cacheDir, { recursive: true, force: true });
  expectPlayed(play(), 'no folder yet');
  const made = lstatSync(cacheDir);
  t.ok(made.isDirectory() && made.uid === NOBODY, 'the shim made the folder, its own');
  t.equal(made.mode & 0o077, 0, 'mode 0700: nobody else may enter it');
  t.ok(readdirSync(cacheDir).length > 0, 'and Node cached the compiled code in it');

  const planted = [
    { what: "another user's folder, open to all (0777)", plant: () => {
      mkdirSync(cacheDir);
      chmodSync(cacheDir, 0o777);
      return cacheDir;
    } },
    { what: 'its own folder, but writable by its group', plant: () => {
      mkdirSync(cacheDir);
      chownSync(cacheDir, NOBODY, NOBODY);
      chmodSync(cacheDir, 0o770);
      return cacheDir;
    } },
    { what: 'a symlink to a folder of its own', plant: () => {
      const target = join(dir, 'elsewhere');
      mkdirSync(target, { mode: 0o700 });
      chownSync(target, NOBODY, NOBODY);
      symlinkSync(target, cacheDir);
      return target;
    } },
  ];
  for (const { what, plant } of planted) {
    rmSync(cacheDir, { recursive: true, force: true });
    const folder = plant();
    expectPlayed(play(), what);
    t.same(readdirSync(folder), [], `${what}: not used, nothing written in it`);
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
