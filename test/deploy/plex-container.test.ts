/**
 * deploy/plex-container/plexbeam-init.sh against a folder tree laid out like linuxserver/plex
 * (`/usr/lib/plexmediaserver` with a stand-in `Plex Transcoder`, a `/config` volume, the script
 * in `/custom-cont-init.d`, this checkout as the mounted PlexBeam folder): the shim and `.real`
 * at start, a restart changing nothing, an image update (a recreated container, and Plex's own
 * update at start), the watchdog started in the background adopting an update inside the running
 * container, and uninstall restoring Plex's binary byte-identical.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { isShim } from '../../core/cartridge-shim.ts';
import { bin, fakeBinary, makePlexDir, md5, md5File, TRANSCODER, updateByRename, waitFor, writeSlowly } from '../watchdog/fake-plex.ts';

const ROOT = join(bin, '..', '..');
const SCRIPT = join(ROOT, 'deploy/plex-container/plexbeam-init.sh');
const runtime = join(ROOT, '.runtime/node/bin/node');

/** A container's file tree: Plex's folder from the "image", the volume, and the init folder. */
function layout(tree: string, transcoder: Buffer) {
  const plexDir = join(tree, 'usr/lib/plexmediaserver');
  makePlexDir(plexDir, transcoder);
  mkdirSync(join(tree, 'custom-cont-init.d'), { recursive: true });
  const init = join(tree, 'custom-cont-init.d/90-plexbeam');
  copyFileSync(SCRIPT, init);
  return { plexDir, init, transcoder: join(plexDir, TRANSCODER), real: join(plexDir, `${TRANSCODER}.real`), config: join(tree, 'config/plexbeam/config.json') };
}

/** Runs the init script as s6 would at container start (the container's environment). */
function runInit(tree: string, init: string, args: string[] = [], env: Record<string, string> = {}) {
  const result = spawnSync(init, args, {
    encoding: 'utf8',
    env: {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      PLEXBEAM_HOME: ROOT,
      PLEXBEAM_CONFIG: join(tree, 'config/plexbeam/config.json'),
      PLEXBEAM_PLEX_DIR: join(tree, 'usr/lib/plexmediaserver'),
      PLEXBEAM_ETC_DIR: join(tree, 'etc/plexbeam'),
      PLEXBEAM_BIN_DIR: join(tree, 'usr/local/bin'),
      PLEXBEAM_RUN_DIR: join(tree, 'run/plexbeam'),
      PLEXBEAM_WATCHDOG: 'off',
      ...env,
    },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Stops a watchdog this file started (its pid file), whatever the test did. */
function killWatchdog(tree: string): void {
  const pidFile = join(tree, 'run/plexbeam/watchdog.pid');
  if (!existsSync(pidFile)) return;
  try {
    process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
  } catch {
    // already gone
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z');
  } catch {
    return false;
  }
};

if (!existsSync(runtime) || !existsSync(join(ROOT, 'dist/cartridge/main.js'))) {
  t.plan(0, 'needs a set-up checkout with its own Node.js (.runtime/node) and a build: ./setup.sh');
} else {
  const PLEX_A = fakeBinary('plex-1.41.3');
  const PLEX_B = fakeBinary('plex-1.41.4');
  const PLEX_C = fakeBinary('plex-1.41.5');

  t.test('each start installs the cartridge as on bare metal; an image update gets the shim back; uninstall restores', async (t) => {
    const tree = t.testdir({});
    const c = layout(tree, PLEX_A);
    const first = runInit(tree, c.init);
    t.equal(first.code, 0, first.stderr);
    t.match(first.stdout, /wrote a default config/);
    t.ok(isShim(readFileSync(c.transcoder)), 'Plex Transcoder is the shim');
    t.equal(md5File(c.real), md5(PLEX_A), "Plex Transcoder.real is Plex's binary, byte for byte");
    t.match(readFileSync(c.transcoder, 'utf8'), runtime, "the shim runs the mounted folder's own Node.js");
    const config = JSON.parse(readFileSync(c.config, 'utf8'));
    t.match(config, { plexDir: c.plexDir, dataDir: join(tree, 'config/plexbeam/data') }, 'config and session log on the volume');
    t.equal(readlinkSync(join(tree, 'etc/plexbeam/config.json')), c.config, '/etc/plexbeam/config.json points at the volume');
    const status = spawnSync(join(tree, 'usr/local/bin/plexbeam'), ['cartridge', 'status', '--config', join(tree, 'etc/plexbeam/config.json')], { encoding: 'utf8' });
    t.match(status.stdout, /installed: Plex Transcoder is the PlexBeam shim/, 'the CLI works from `docker exec` through the links');

    const shim = md5File(c.transcoder);
    const restart = runInit(tree, c.init);
    t.equal(restart.code, 0, restart.stderr);
    t.notMatch(restart.stdout, /wrote a default config/, 'an existing config is kept');
    t.equal(md5File(c.transcoder), shim, 'a restart changes nothing');
    t.equal(md5File(c.real), md5(PLEX_A));

    // linuxserver/plex VERSION=latest: Plex's package replaces the binary at start, over the shim.
    updateByRename(c.plexDir, PLEX_B);
    const updated = runInit(tree, c.init);
    t.equal(updated.code, 0, updated.stderr);
    t.match(updated.stdout, /kept the new binary as Plex Transcoder\.real and reinstalled the shim/);
    t.ok(isShim(readFileSync(c.transcoder)), 'the shim is back');
    t.equal(md5File(c.real), md5(PLEX_B), 'the new binary became .real');

    const uninstall = runInit(tree, c.init, ['uninstall']);
    t.equal(uninstall.code, 0, uninstall.stderr);
    t.same(readFileSync(c.transcoder), PLEX_B, "Plex's binary restored byte-identical");
    t.notOk(existsSync(c.real), 'no .real left');
  });

  t.test('a new image (the container recreated): its fresh binary becomes .real', async (t) => {
    const tree = t.testdir({});
    let c = layout(tree, PLEX_A);
    t.equal(runInit(tree, c.init).code, 0);
    // docker pull + recreate: Plex's folder comes fresh from the new image; the volume stays.
    rmSync(c.plexDir, { recursive: true });
    c = layout(tree, PLEX_B);
    const start = runInit(tree, c.init);
    t.equal(start.code, 0, start.stderr);
    t.ok(isShim(readFileSync(c.transcoder)), 'the shim is in place again');
    t.equal(md5File(c.real), md5(PLEX_B), "the new image's binary is .real");
  });

  t.test('the watchdog, started in the background, adopts an update inside the running container', async (t) => {
    const tree = t.testdir({});
    t.teardown(() => killWatchdog(tree));
    const c = layout(tree, PLEX_A);
    const start = runInit(tree, c.init, [], { PLEXBEAM_WATCHDOG: 'on' });
    t.equal(start.code, 0, start.stderr);
    t.match(start.stdout, /watchdog started \(pid \d+/);
    const pid = Number(readFileSync(join(tree, 'run/plexbeam/watchdog.pid'), 'utf8'));
    t.ok(alive(pid), 'the watchdog runs after the init script returned');
    await waitFor('the watchdog watching', () => /"msg":"watching /.test(readFileSync(join(tree, 'run/plexbeam/watchdog.log'), 'utf8')), 20_000);

    await writeSlowly(c.transcoder, PLEX_C, 4, 50);
    await waitFor('the shim back after an in-container update', () => isShim(readFileSync(c.transcoder)) && md5File(c.real) === md5(PLEX_C), 20_000);
    t.pass('the new binary became .real and the shim is back');

    const uninstall = runInit(tree, c.init, ['uninstall']);
    t.equal(uninstall.code, 0, uninstall.stderr);
    t.match(uninstall.stdout, /stopped the watchdog/);
    t.notOk(alive(pid), 'the watchdog is gone');
    t.same(readFileSync(c.transcoder), PLEX_C, 'restored byte-identical');
  });
}
