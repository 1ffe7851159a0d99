/** plexbeam-shaper.service and install.sh's --with-shaper, without installing anything. */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const root = fileURLToPath(new URL('../..', import.meta.url));
const unitText = readFileSync(join(root, 'systemd', 'plexbeam-shaper.service'), 'utf8');
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

t.test('the unit passes systemd-analyze verify', { skip: has('systemd-analyze') ? false : 'systemd-analyze is not installed' }, async (t) => {
  const prefix = t.testdir({ bin: { plexbeam: '#!/bin/sh\n' }, units: {} });
  chmodSync(join(prefix, 'bin', 'plexbeam'), 0o755);
  mkdirSync(join(prefix, 'units'), { recursive: true });
  const unit = join(prefix, 'units', 'plexbeam-shaper.service');
  writeFileSync(unit, unitText.replaceAll('/opt/plexbeam', prefix));
  const result = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SYSTEMD_LOG_LEVEL: 'warning' } });
  t.equal(result.status, 0, result.stderr);
  t.equal(`${result.stdout}${result.stderr}`.trim(), '', 'no warnings');
});

t.test('the unit is Type=notify with CAP_NET_ADMIN and nothing more', async (t) => {
  for (const line of ['Type=notify', 'NotifyAccess=all', 'User=plex', 'AmbientCapabilities=CAP_NET_ADMIN', 'CapabilityBoundingSet=CAP_NET_ADMIN', 'RestartPreventExitStatus=2', 'KillMode=mixed', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'WantedBy=multi-user.target']) {
    t.match(unitText, new RegExp(`^${line}$`, 'm'), line);
  }
  t.match(unitText, /^ExecStart=\/opt\/plexbeam\/bin\/plexbeam shaper run --config \/etc\/plexbeam\/config\.json$/m);
  t.match(unitText, /^RestrictAddressFamilies=.*AF_NETLINK/m, 'tc talks netlink');
});

t.test('install.sh offers --with-shaper, only for installing', async (t) => {
  const run = (args: string[]) => spawnSync(join(root, 'install.sh'), args, { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  t.match(run(['--help']).stdout, '--with-shaper');
  const bad = run(['--uninstall', '--with-shaper']);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /--with-shaper does not go with --uninstall/);
});
