import { chmodSync, existsSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { installCartridge, readCartridgeStatus, repairCartridge, uninstallCartridge, type CartridgeStep } from '../../core/cartridge-install.ts';
import { renderShim, isShim } from '../../core/cartridge-shim.ts';
import { isPlexBeamError } from '../../core/errors.ts';
import { fakeBinary, makePlexDir, md5, md5File, TRANSCODER, updateByRename } from '../watchdog/fake-plex.ts';

const shim = { nodePath: '/usr/bin/node', cartridgeMain: '/opt/plexbeam/dist/cartridge/main.js' };
const OLD = fakeBinary('plex-1.41.2');
const NEW = fakeBinary('plex-1.41.3');

function setup(t: Test, content = OLD, mode = 0o755) {
  const plexDir = join(t.testdir({}), 'plex');
  makePlexDir(plexDir, content);
  chmodSync(join(plexDir, TRANSCODER), mode);
  const files = {
    transcoder: join(plexDir, TRANSCODER),
    real: join(plexDir, `${TRANSCODER}.real`),
    prev: join(plexDir, `${TRANSCODER}.real.prev`),
  };
  return { plexDir, ...files, options: { plexDir, shim } };
}

t.test('install keeps Plex binary as .real (bytes and mode) and writes the marked shim; twice changes nothing', async (t) => {
  const dir = setup(t, OLD, 0o750);
  const first = await installCartridge(dir.options);
  t.equal(first.action, 'installed');
  t.same(readFileSync(dir.real), OLD);
  t.equal(statSync(dir.real).mode & 0o7777, 0o750);
  const shimText = readFileSync(dir.transcoder, 'utf8');
  t.equal(shimText, renderShim(shim));
  t.ok(isShim(shimText));
  t.equal(statSync(dir.transcoder).mode & 0o7777, 0o750, 'the shim gets the mode of Plex binary');
  const snapshot = readdirSync(dir.plexDir).map((name) => [name, statSync(join(dir.plexDir, name)).mtimeMs, md5File(join(dir.plexDir, name))]);
  const second = await installCartridge(dir.options);
  t.equal(second.action, 'none');
  t.same(readdirSync(dir.plexDir).map((name) => [name, statSync(join(dir.plexDir, name)).mtimeMs, md5File(join(dir.plexDir, name))]), snapshot);
});

t.test('uninstall restores the real binary byte-identical with its mode; twice changes nothing', async (t) => {
  const dir = setup(t, OLD, 0o751);
  const inode = statSync(dir.transcoder).ino;
  await installCartridge(dir.options);
  const change = await uninstallCartridge(dir.options);
  t.equal(change.action, 'uninstalled');
  t.same(readFileSync(dir.transcoder), OLD);
  t.equal(statSync(dir.transcoder).mode & 0o7777, 0o751);
  t.equal(statSync(dir.transcoder).ino, inode, 'the very same file Plex installed');
  t.notOk(existsSync(dir.real));
  t.same(readdirSync(dir.plexDir).sort(), ['Plex Media Server', TRANSCODER]);
  t.equal((await uninstallCartridge(dir.options)).action, 'none');
});

t.test('status reports the SPEC fields', async (t) => {
  const dir = setup(t);
  let status = await readCartridgeStatus(dir.plexDir, shim);
  t.match(status, { installed: false, state: 'not-installed', shim_md5: null, real_md5: md5(OLD), plex_version: '1.41.3.9314-a0bfb8370', plex_dir: dir.plexDir });
  await installCartridge(dir.options);
  status = await readCartridgeStatus(dir.plexDir, shim);
  t.match(status, { installed: true, state: 'installed', shim_md5: md5(renderShim(shim)), real_md5: md5(OLD), real_mode: '0755', shim_current: true, problem: null });
  t.match(await readCartridgeStatus(dir.plexDir, { ...shim, nodePath: '/other/node' }), { installed: true, shim_current: false });
});

t.test('after a Plex update, repair keeps the new binary, reinstalls the shim and drops .real.prev only at the end', async (t) => {
  const dir = setup(t);
  await installCartridge(dir.options);
  updateByRename(dir.plexDir, NEW);
  const seen: [CartridgeStep, string | null][] = [];
  const change = await repairCartridge({ ...dir.options, beforeStep: (step) => void seen.push([step, md5File(dir.prev)]) });
  t.equal(change.action, 'adopted-update');
  t.same(seen.map(([step]) => step), ['keep-prev', 'stage-real', 'commit-real', 'stage-shim', 'commit-shim', 'drop-prev']);
  t.equal(seen.at(-1)?.[1], md5(OLD), 'the old binary is kept until the new state is verified');
  t.equal(change.oldRealMd5, md5(OLD));
  t.equal(change.newRealMd5, md5(NEW));
  t.same(readFileSync(dir.real), NEW);
  t.ok(isShim(readFileSync(dir.transcoder)));
  t.notOk(existsSync(dir.prev));
  t.same(readdirSync(dir.plexDir).filter((name) => name.startsWith('.')), []);
});

t.test('a change interrupted before any step resumes to the right state', async (t) => {
  for (const stop of ['keep-prev', 'stage-real', 'commit-real', 'stage-shim', 'commit-shim', 'drop-prev'] as const) {
    const dir = setup(t);
    await installCartridge(dir.options);
    updateByRename(dir.plexDir, NEW);
    const interrupted = repairCartridge({ ...dir.options, beforeStep: (step) => { if (step === stop) throw new Error(`stop at ${step}`); } });
    await t.rejects(interrupted, { message: `stop at ${stop}` });
    const copies = [dir.transcoder, dir.real, dir.prev].map(md5File);
    t.ok(copies.includes(md5(NEW)) && copies.includes(md5(OLD)), `${stop}: no binary lost`);
    await repairCartridge(dir.options);
    t.same(readFileSync(dir.real), NEW, `${stop}: .real is the new binary`);
    t.ok(isShim(readFileSync(dir.transcoder)), `${stop}: shim back`);
    t.notOk(existsSync(dir.prev), `${stop}: .real.prev dropped once verified`);
    t.same(readdirSync(dir.plexDir).filter((name) => name.startsWith('.')), [], `${stop}: no temporaries or lock left`);
  }
});

t.test('repair does not install where the cartridge is not installed; install does', async (t) => {
  const dir = setup(t);
  t.equal((await repairCartridge(dir.options)).action, 'none');
  t.same(readFileSync(dir.transcoder), OLD);
  t.equal((await installCartridge(dir.options)).action, 'installed');
});

t.test('a missing transcoder next to .real gets the shim back', async (t) => {
  const dir = setup(t);
  await installCartridge(dir.options);
  unlinkSync(dir.transcoder);
  t.equal((await repairCartridge(dir.options)).action, 'restored-shim');
  t.ok(isShim(readFileSync(dir.transcoder)));
  t.same(readFileSync(dir.real), OLD);
});

t.test('an outdated shim is rewritten', async (t) => {
  const dir = setup(t);
  await installCartridge({ ...dir.options, shim: { ...shim, nodePath: '/old/node' } });
  t.equal((await repairCartridge(dir.options)).action, 'refreshed-shim');
  t.equal(readFileSync(dir.transcoder, 'utf8'), renderShim(shim));
  t.same(readFileSync(dir.real), OLD);
});

t.test('broken states are refused and left untouched', async (t) => {
  const dir = setup(t);
  await installCartridge(dir.options);
  unlinkSync(dir.real);
  for (const change of [installCartridge, repairCartridge, uninstallCartridge]) {
    await t.rejects(change(dir.options), { code: 'CARTRIDGE_BROKEN', message: /Plex Transcoder\.real.*missing.*reinstall Plex Media Server/ });
  }
  t.ok(isShim(readFileSync(dir.transcoder)), 'the shim was never moved to .real');
  t.notOk(existsSync(dir.real));
  t.match(await readCartridgeStatus(dir.plexDir, shim), { installed: false, state: 'shim-without-real', problem: /missing/, fix: /reinstall/ });

  const both = setup(t);
  await installCartridge(both.options);
  writeFileSync(both.real, renderShim(shim));
  await t.rejects(installCartridge(both.options), { code: 'CARTRIDGE_BROKEN', message: /both .* shims/ });
  t.match(await readCartridgeStatus(both.plexDir, shim), { state: 'real-is-shim' });
});

t.test('uninstall keeps the newer binary Plex put in place and removes a stray shim at .real', async (t) => {
  const dir = setup(t);
  await installCartridge(dir.options);
  updateByRename(dir.plexDir, NEW);
  t.equal((await uninstallCartridge(dir.options)).action, 'uninstalled');
  t.same(readFileSync(dir.transcoder), NEW);
  t.notOk(existsSync(dir.real));

  const stray = setup(t);
  writeFileSync(stray.real, renderShim(shim));
  t.equal((await uninstallCartridge(stray.options)).action, 'uninstalled');
  t.same(readFileSync(stray.transcoder), OLD);
  t.notOk(existsSync(stray.real));
});

t.test('missing folder and missing transcoder are clear errors', async (t) => {
  const root = t.testdir({ empty: {} });
  await t.rejects(installCartridge({ plexDir: join(root, 'nope'), shim }), { code: 'PLEX_DIR_MISSING', message: /does not exist.*--plex-dir/ });
  await t.rejects(installCartridge({ plexDir: join(root, 'empty'), shim }), { code: 'TRANSCODER_MISSING', message: /no Plex Transcoder/ });
  t.ok(isPlexBeamError(await installCartridge({ plexDir: join(root, 'nope'), shim }).catch((error: unknown) => error)));
});

t.test('a lock held by a live process makes changes wait, then fail CARTRIDGE_BUSY; a dead owner\'s lock is taken over', async (t) => {
  const dir = setup(t);
  const lock = join(dir.plexDir, '.plexbeam-cartridge.lock');
  writeFileSync(lock, `${process.ppid}\n`);
  await t.rejects(installCartridge({ ...dir.options, lockWaitMs: 200 }), { code: 'CARTRIDGE_BUSY', message: new RegExp(`pid ${process.ppid}`) });
  t.same(readFileSync(dir.transcoder), OLD);
  writeFileSync(lock, '2147483646\n');
  writeFileSync(join(dir.plexDir, `.${TRANSCODER}.plexbeam-2147483646-1-real.tmp`), 'leftover');
  t.equal((await installCartridge(dir.options)).action, 'installed');
  t.same(readdirSync(dir.plexDir).filter((name) => name.startsWith('.')), [], 'stale lock and temporaries removed');
});

t.test('a rename-over during the change is never clobbered', async (t) => {
  const dir = setup(t);
  await installCartridge(dir.options);
  updateByRename(dir.plexDir, NEW);
  const NEWER = fakeBinary('plex-1.41.4');
  const change = await repairCartridge({
    ...dir.options,
    beforeStep: (step) => { if (step === 'commit-shim') updateByRename(dir.plexDir, NEWER); },
  });
  t.equal(change.retry, true, 'asks to try again');
  t.same(readFileSync(dir.transcoder), NEWER, 'the newest binary is still in place');
  t.equal((await repairCartridge(dir.options)).action, 'adopted-update');
  t.same(readFileSync(dir.real), NEWER);
  t.ok(isShim(readFileSync(dir.transcoder)));
});
