import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { openSessionLog } from '../../core/session-log/index.ts';
import { bin, fakeBinary, makePlexDir, md5, plexbeam, TRANSCODER, writeConfig } from '../watchdog/fake-plex.ts';

const PLEX = fakeBinary('plex-1.41.3');

/** A Plex folder under `<testdir>/<name>` and a config for it (call t.testdir() once per test). */
function setup(testdir: string, name = 'a') {
  const root = join(testdir, name);
  const plexDir = join(root, 'plex');
  makePlexDir(plexDir, PLEX);
  return { root, plexDir, config: writeConfig(root, plexDir), transcoder: join(plexDir, TRANSCODER) };
}

const json = (stdout: string) => JSON.parse(stdout) as Record<string, unknown>;

t.test('install, status --json, uninstall: byte-identical round trip, each recorded', async (t) => {
  const dir = setup(t.testdir({ a: {} }));
  const before = statSync(dir.transcoder);
  let status = plexbeam(['cartridge', 'status', '--json', '--config', dir.config]);
  t.equal(status.code, 0);
  t.match(json(status.stdout), { installed: false, shim_md5: null, real_md5: md5(PLEX), plex_version: '1.41.3.9314-a0bfb8370', state: 'not-installed' });

  const install = plexbeam(['cartridge', 'install', '--json', '--config', dir.config]);
  t.equal(install.code, 0, install.stderr);
  t.match(json(install.stdout), { action: 'installed', changed: true, status: { installed: true, real_md5: md5(PLEX) } });
  const again = plexbeam(['cartridge', 'install', '--json', '--config', dir.config]);
  t.match(json(again.stdout), { action: 'none', changed: false });
  status = plexbeam(['cartridge', 'status', '--json', '--config', dir.config]);
  const report = json(status.stdout);
  t.match(report, { installed: true, real_md5: md5(PLEX), plex_version: '1.41.3.9314-a0bfb8370', plex_dir: dir.plexDir });
  t.equal(report.shim_md5, md5(readFileSync(dir.transcoder)));
  t.match(plexbeam(['cartridge', 'status', '--config', dir.config]).stdout, /installed: Plex Transcoder is the PlexBeam shim/);

  const uninstall = plexbeam(['cartridge', 'uninstall', '--config', dir.config]);
  t.equal(uninstall.code, 0, uninstall.stderr);
  t.match(uninstall.stdout, /restored Plex's own Plex Transcoder/);
  t.same(readFileSync(dir.transcoder), PLEX);
  t.equal(statSync(dir.transcoder).mode, before.mode);
  t.equal(plexbeam(['cartridge', 'uninstall', '--config', dir.config]).code, 0, 'uninstall twice is fine');

  const log = openSessionLog(join(dir.root, 'data', 'sessions.db'), { readonly: true });
  const events = log.listEvents();
  log.close();
  t.match(events, [
    { source: 'install', type: 'shim-installed', oldMd5: md5(PLEX), plexVersion: '1.41.3.9314-a0bfb8370' },
    { source: 'install', type: 'shim-uninstalled', newMd5: md5(PLEX) },
  ]);
});

t.test('--plex-dir overrides the config', async (t) => {
  const testdir = t.testdir({ a: {}, b: {} });
  const dir = setup(testdir);
  const other = setup(testdir, 'b');
  t.equal(plexbeam(['cartridge', 'install', '--config', dir.config, '--plex-dir', other.plexDir]).code, 0);
  t.same(readFileSync(dir.transcoder), PLEX, 'the configured folder is untouched');
  t.match(json(plexbeam(['cartridge', 'status', '--json', '--config', dir.config, '--plex-dir', other.plexDir]).stdout), { installed: true });
});

t.test('runtime failures exit 1 and say how to fix them', async (t) => {
  const testdir = t.testdir({ a: {}, b: {} });
  const dir = setup(testdir);
  const missing = join(dir.root, 'no-such-plex');
  const install = plexbeam(['cartridge', 'install', '--config', dir.config, '--plex-dir', missing]);
  t.equal(install.code, 1);
  t.match(install.stderr, /^plexbeam: Plex's folder .*no-such-plex does not exist: install Plex Media Server, or pass --plex-dir/);
  const status = plexbeam(['cartridge', 'status', '--json', '--config', dir.config, '--plex-dir', missing]);
  t.equal(status.code, 1);
  t.match(json(status.stdout), { installed: false, state: 'no-plex-dir' });

  rmSync(dir.transcoder);
  const empty = plexbeam(['cartridge', 'install', '--config', dir.config]);
  t.equal(empty.code, 1);
  t.match(empty.stderr, /there is no Plex Transcoder in .*reinstall Plex Media Server/);

  const broken = setup(testdir, 'b');
  plexbeam(['cartridge', 'install', '--config', broken.config]);
  rmSync(`${broken.transcoder}.real`);
  for (const action of ['install', 'uninstall', 'status']) {
    const result = plexbeam(['cartridge', action, '--config', broken.config]);
    t.equal(result.code, 1, `${action} on a shim without .real`);
    t.match(result.stdout + result.stderr, /Plex Transcoder\.real.*missing/);
  }
});

/** Whether uid 65534 may run `bin` at all (a clone inside a mode-0700 folder is out of its reach). */
const nobodyCanRun = () => spawnSync('test', ['-x', bin], { uid: 65534, gid: 65534 }).status === 0;
const permissionSkip = process.getuid?.() !== 0 ? 'needs root to run the CLI as another user' : !nobodyCanRun() ? `user nobody cannot reach ${bin} (a folder above it is private)` : false;

t.test('permission denied is exit 1 with the fix', { skip: permissionSkip }, async (t) => {
  const dir = setup(t.testdir({ a: {} }));
  const result = spawnSync(bin, ['cartridge', 'install', '--config', dir.config], { encoding: 'utf8', uid: 65534, gid: 65534, env: { PATH: process.env.PATH ?? '' } });
  t.equal(result.status, 1);
  t.match(result.stderr, /permission denied .*run it as root/);
  t.same(readFileSync(dir.transcoder), PLEX);
});

t.test('bad usage exits 2', async (t) => {
  const dir = setup(t.testdir({ a: {} }));
  for (const args of [['cartridge'], ['cartridge', 'reinstall'], ['cartridge', 'status', '--bogus']]) {
    t.equal(plexbeam([...args, '--config', dir.config]).code, 2, args.join(' '));
  }
});
