import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import t, { type Test } from 'tap';
import { installCartridge } from '../../core/cartridge-install.ts';
import { isShim } from '../../core/cartridge-shim.ts';
import { createLogger } from '../../core/log.ts';
import type { EventInput } from '../../core/session-log/index.ts';
import { createWatchdog, type WatchdogDeps } from '../../watchdog/service.ts';
import { fakeBinary, makePlexDir, md5, md5File, TRANSCODER, updateByRename, waitFor } from './fake-plex.ts';

const shim = { nodePath: '/usr/bin/node', cartridgeMain: '/opt/plexbeam/dist/cartridge/main.js' };

async function setup(t: Test, overrides: Partial<WatchdogDeps> = {}) {
  const plexDir = join(t.testdir({}), 'plex');
  makePlexDir(plexDir, fakeBinary('old'));
  await installCartridge({ plexDir, shim });
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)));
  const log = await createLogger({ name: 'watchdog', config: { logLevel: 'debug', logFiles: false, logDir: '/nonexistent' }, destination: stream });
  const recorded: EventInput[] = [];
  const statuses: string[] = [];
  const watchdog = createWatchdog({
    plexDir,
    settleMs: 50,
    recheckCron: '0 0 1 1 *',
    shim,
    log,
    events: { record: (event) => void recorded.push(event), lastPlexVersion: () => '1.40.0', close: () => {} },
    readVersion: async () => '1.41.4',
    onStatus: (line) => void statuses.push(line),
    ...overrides,
  });
  return { plexDir, watchdog, lines, recorded, statuses };
}

t.test('the cron re-check catches a change the watcher missed', async (t) => {
  // A watcher that reports only its start, as if every inotify event were lost.
  const deaf: WatchdogDeps['watch'] = async (options) => {
    options.onEvent('rearmed', options.plexDir);
    return { watching: () => options.plexDir, close: async () => {} };
  };
  const { plexDir, watchdog, lines, recorded } = await setup(t, { watch: deaf, recheckCron: '* * * * * *' });
  await watchdog.start();
  await waitFor('the start-up check', () => lines.find((line) => line.reason === 'start' && line.msg === 'the shim is installed'));
  const NEW = fakeBinary('new');
  updateByRename(plexDir, NEW);
  await waitFor('repair by the re-check', () => md5File(join(plexDir, `${TRANSCODER}.real`)) === md5(NEW));
  await waitFor('the log line', () => lines.find((line) => line.action === 'adopted-update'));
  await watchdog.close();
  t.match(lines.find((line) => line.action === 'adopted-update'), { reason: 'recheck', oldPlexVersion: '1.40.0', plexVersion: '1.41.4' });
  t.match(recorded, [{ type: 'plex-updated', source: 'watchdog', newMd5: md5(NEW), oldPlexVersion: '1.40.0', plexVersion: '1.41.4' }]);
  t.ok(isShim(readFileSync(join(plexDir, TRANSCODER))));
});

t.test('status lines say what is watched and the state', async (t) => {
  const { plexDir, watchdog, statuses } = await setup(t);
  await watchdog.start();
  await waitFor('a status line', () => statuses.length > 0);
  t.equal(statuses.at(-1), `watching ${join(plexDir, TRANSCODER)}; shim installed; Plex 1.41.4`);
  await watchdog.close();
  t.ok(existsSync(join(plexDir, TRANSCODER)));
});

t.test('an invalid recheckCron is a config error (exit 2)', async (t) => {
  const { plexDir } = await setup(t);
  t.throws(() => createWatchdog({ plexDir, settleMs: 1, recheckCron: 'every minute', shim } as WatchdogDeps), {
    code: 'CONFIG_INVALID',
    exitCode: 2,
    message: /watchdog\.recheckCron/,
  });
});
