import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { isShim } from '../../core/cartridge-shim.ts';
import { openSessionLog } from '../../core/session-log/index.ts';
import { fakeBinary, leftovers, makePlexDir, md5, md5File, plexbeam, setPlexVersion, startWatchdog, TRANSCODER, updateByRename, waitFor, writeConfig, writeSlowly } from './fake-plex.ts';

const OLD = fakeBinary('plex-1.41.3');
const NEW = fakeBinary('plex-1.41.4');

/** A Plex folder with the cartridge installed by the CLI, and a config for it. */
function installed(t: Test, watchdog: Record<string, unknown> = {}) {
  const root = t.testdir({});
  const plexDir = join(root, 'plex');
  makePlexDir(plexDir, OLD);
  const config = writeConfig(root, plexDir, watchdog);
  const install = plexbeam(['cartridge', 'install', '--config', config]);
  t.equal(install.code, 0, install.stderr);
  return { root, plexDir, config, transcoder: join(plexDir, TRANSCODER), real: join(plexDir, `${TRANSCODER}.real`), db: join(root, 'data', 'sessions.db') };
}

/** True once the shim is back and `.real` holds `content` with mode 0755, with nothing left over. */
function repairedWith(plexDir: string, content: Buffer): boolean {
  const transcoder = join(plexDir, TRANSCODER);
  const real = `${transcoder}.real`;
  return (
    existsSync(transcoder) && isShim(readFileSync(transcoder)) && md5File(real) === md5(content) &&
    (statSync(real).mode & 0o7777) === 0o755 && !existsSync(`${real}.prev`) && leftovers(plexDir).length === 0
  );
}

function events(db: string) {
  const log = openSessionLog(db, { readonly: true });
  try {
    return log.listEvents();
  } finally {
    log.close();
  }
}

t.test('rename over the file (how package managers install): new binary kept, shim back, event recorded', async (t) => {
  const dir = installed(t);
  const watchdog = await startWatchdog(dir.config);
  setPlexVersion(dir.plexDir, '1.41.4.9400-abcdef012');
  updateByRename(dir.plexDir, NEW);
  await waitFor('repair', () => repairedWith(dir.plexDir, NEW));
  await watchdog.waitForLog({ action: 'adopted-update' });
  t.same(await watchdog.stop(), { code: 0, signal: null }, 'SIGTERM: clean exit 0');
  const update = events(dir.db).find((event) => event.type === 'plex-updated');
  t.match(update, { source: 'watchdog', oldMd5: md5(OLD), newMd5: md5(NEW), plexVersion: '1.41.4.9400-abcdef012', oldPlexVersion: '1.41.3.9314-a0bfb8370', message: /kept the new binary/ });
  t.match(update?.details, { action: 'adopted-update', steps: ['keep-prev', 'stage-real', 'commit-real', 'stage-shim', 'commit-shim', 'drop-prev'] });
});

t.test('overwrite in place', async (t) => {
  const dir = installed(t);
  const watchdog = await startWatchdog(dir.config);
  writeFileSync(dir.transcoder, NEW);
  await waitFor('repair', () => repairedWith(dir.plexDir, NEW));
  t.equal((await watchdog.stop()).code, 0);
});

t.test('a slow write is acted on only once settled, never half-written', async (t) => {
  const dir = installed(t, { settleMs: 300 });
  const watchdog = await startWatchdog(dir.config);
  const big = fakeBinary('plex-1.42.0-big', 4 * 1024 * 1024);
  await writeSlowly(dir.transcoder, big, 40, 60);
  await waitFor('repair', () => repairedWith(dir.plexDir, big));
  t.equal((await watchdog.stop()).code, 0);
  const changes = events(dir.db).filter((event) => event.source === 'watchdog');
  t.same(changes.map((event) => [event.type, event.newMd5]), [['plex-updated', md5(big)]], 'one update, with the complete binary');
});

t.test('delete then create, with a short and a long gap', async (t) => {
  for (const gapMs of [20, 1000]) {
    const dir = installed(t);
    const watchdog = await startWatchdog(dir.config);
    unlinkSync(dir.transcoder);
    await sleep(gapMs);
    writeFileSync(dir.transcoder, NEW, { mode: 0o755 });
    await waitFor(`repair after a ${gapMs} ms gap`, () => repairedWith(dir.plexDir, NEW));
    t.equal((await watchdog.stop()).code, 0);
  }
});

t.test('a deleted transcoder gets the shim back', async (t) => {
  const dir = installed(t);
  const watchdog = await startWatchdog(dir.config);
  unlinkSync(dir.transcoder);
  await waitFor('shim restored', () => existsSync(dir.transcoder) && isShim(readFileSync(dir.transcoder)));
  t.same(readFileSync(dir.real), OLD);
  await watchdog.waitForLog({ action: 'restored-shim' });
  t.equal((await watchdog.stop()).code, 0);
});

t.test('the folder missing at start is waited for, then watched', async (t) => {
  const dir = installed(t);
  const plexDir = join(dir.root, 'later', 'usr-lib', 'plex');
  const config = writeConfig(dir.root, plexDir);
  const watchdog = await startWatchdog(config);
  await watchdog.waitForLog({ code: 'PLEX_DIR_MISSING' });
  mkdirSync(join(dir.root, 'later', 'usr-lib'), { recursive: true });
  renameSync(dir.plexDir, plexDir);
  await watchdog.waitForLog({ msg: 'the shim is installed' });
  updateByRename(plexDir, NEW);
  await waitFor('repair in the folder that appeared', () => repairedWith(plexDir, NEW));
  t.equal((await watchdog.stop()).code, 0);
});

t.test('an update while the watchdog was down is repaired at start', async (t) => {
  const dir = installed(t);
  updateByRename(dir.plexDir, NEW);
  const watchdog = await startWatchdog(dir.config);
  await waitFor('repair at start', () => repairedWith(dir.plexDir, NEW));
  t.match(await watchdog.waitForLog({ action: 'adopted-update' }), { reason: 'start' });
  t.equal((await watchdog.stop()).code, 0);
});

t.test('a broken state is reported once and never "fixed" by moving the shim', async (t) => {
  const dir = installed(t, { recheckCron: '* * * * * *' });
  rmSync(dir.real);
  const watchdog = await startWatchdog(dir.config);
  await watchdog.waitForLog({ code: 'CARTRIDGE_BROKEN', level: 'error' });
  await sleep(2500);
  t.equal(watchdog.lines.filter((line) => line.code === 'CARTRIDGE_BROKEN').length, 1, 'reported once across re-checks');
  t.ok(isShim(readFileSync(dir.transcoder)));
  t.notOk(existsSync(dir.real));
  t.equal((await watchdog.stop()).code, 0);
  t.match(events(dir.db).at(-1), { type: 'cartridge-broken', source: 'watchdog', message: /reinstall/ });
});

t.test('systemd: readiness, a status line and STOPPING=1 on SIGTERM', async (t) => {
  const dir = installed(t);
  const fakeBin = join(dir.root, 'bin');
  const calls = join(dir.root, 'notify-calls');
  mkdirSync(fakeBin);
  writeFileSync(join(fakeBin, 'systemd-notify'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${calls}'\n`);
  chmodSync(join(fakeBin, 'systemd-notify'), 0o755);
  const watchdog = await startWatchdog(dir.config, { NOTIFY_SOCKET: '/run/fake-notify', PATH: `${fakeBin}:${process.env.PATH}` });
  await waitFor('READY=1', () => existsSync(calls) && readFileSync(calls, 'utf8').includes('--ready'));
  await waitFor('status line', () => readFileSync(calls, 'utf8').includes(`STATUS=watching ${dir.transcoder}; shim installed; Plex 1.41.3`));
  t.same(await watchdog.stop(), { code: 0, signal: null });
  t.match(readFileSync(calls, 'utf8'), /STOPPING=1/);
  t.ok(watchdog.lines.some((line) => line.msg === 'stopped'));
});

t.test('idle: next to no CPU (inotify, no polling)', async (t) => {
  const dir = installed(t, { recheckCron: '*/5 * * * *' });
  const watchdog = await startWatchdog(dir.config);
  await watchdog.waitForLog({ msg: 'the shim is installed' });
  const ticks = () => readFileSync(`/proc/${watchdog.child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ').slice(11, 13).reduce((sum, value) => sum + Number(value), 0) ?? 0;
  const before = ticks();
  await sleep(2000);
  const used = ticks() - before;
  t.ok(used <= 10, `used ${used} clock ticks in 2 s idle (a busy loop would use ~200)`);
  t.equal((await watchdog.stop()).code, 0);
});
