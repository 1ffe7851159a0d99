import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { CARTRIDGE_STEPS } from '../../core/cartridge-install.ts';
import { isShim } from '../../core/cartridge-shim.ts';
import { fakeBinary, leftovers, makePlexDir, md5, md5File, plexbeam, startWatchdog, TRANSCODER, updateByRename, waitFor, writeConfig } from './fake-plex.ts';

const OLD = fakeBinary('plex-1.41.3', 256 * 1024);
const NEW = fakeBinary('plex-1.41.4', 256 * 1024);
// The steps a Plex update goes through (the others belong to uninstall).
const UPDATE_STEPS = CARTRIDGE_STEPS.filter((step) => !['restore-real', 'drop-real'].includes(step));

t.test('SIGKILL at each step of an update, then a restart: consistent at every point, correct at the end', async (t) => {
  t.same(UPDATE_STEPS, ['keep-prev', 'stage-real', 'commit-real', 'stage-shim', 'commit-shim', 'drop-prev']);
  for (const step of UPDATE_STEPS) {
    await t.test(`killed before ${step}`, async (t) => {
      const root = t.testdir({});
      const plexDir = join(root, 'plex');
      makePlexDir(plexDir, OLD);
      const config = writeConfig(root, plexDir);
      t.equal(plexbeam(['cartridge', 'install', '--config', config]).code, 0);
      const transcoder = join(plexDir, TRANSCODER);
      const files = [transcoder, `${transcoder}.real`, `${transcoder}.real.prev`];

      const paused = await startWatchdog(config, { PLEXBEAM_WATCHDOG_TEST_PAUSE_AT: step });
      updateByRename(plexDir, NEW);
      await paused.waitForLog({ msg: 'test pause', step });
      t.same(await paused.stop('SIGKILL'), { code: null, signal: 'SIGKILL' });

      // Killed mid-update: both Plex binaries still exist whole, and Plex always has a transcoder.
      const copies = files.map(md5File);
      t.ok(copies.includes(md5(NEW)), 'the new binary is intact somewhere');
      t.ok(copies.includes(md5(OLD)), 'the old binary is kept until the new state is verified');
      t.ok(existsSync(transcoder), 'Plex Transcoder exists');
      const current = readFileSync(transcoder);
      t.ok(isShim(current) || md5(current) === md5(NEW), 'Plex Transcoder is the shim or the new binary');
      t.notOk(existsSync(`${transcoder}.real`) && isShim(readFileSync(`${transcoder}.real`)), 'the shim never went to .real');

      const restarted = await startWatchdog(config);
      await waitFor('the update finished after restart', () =>
        isShim(readFileSync(transcoder)) && md5File(`${transcoder}.real`) === md5(NEW) && !existsSync(`${transcoder}.real.prev`) && leftovers(plexDir).length === 0,
      );
      t.equal(statSync(`${transcoder}.real`).mode & 0o7777, 0o755);
      t.same(await restarted.stop(), { code: 0, signal: null });
      const status = JSON.parse(plexbeam(['cartridge', 'status', '--json', '--config', config]).stdout) as Record<string, unknown>;
      t.match(status, { installed: true, real_md5: md5(NEW), prev_md5: null });
    });
  }
});
