/**
 * install.sh and the unit files, without installing anything: shellcheck, usage, the checks
 * that refuse to run, and `systemd-analyze verify`. The real install runs under systemd in
 * test/install/systemd.test.ts (`npm run test:systemd`).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const root = fileURLToPath(new URL('../..', import.meta.url));
const installSh = join(root, 'install.sh');
const UNITS = ['plexbeam-worker.service', 'plexbeam-watchdog.service', 'plexbeam-server.service'];

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const run = (command: string, args: string[], env: Record<string, string> = {}, cwd = root) => {
  const result = spawnSync(command, args, { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, cwd });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};

t.test('shellcheck finds nothing in install.sh, scripts/systemd-box.sh and the in-box test', { skip: has('shellcheck') ? false : 'shellcheck is not installed (apt-get install shellcheck)' }, async (t) => {
  for (const file of ['install.sh', 'scripts/systemd-box.sh', 'scripts/worker-tls.sh', 'test/install/in-box.sh']) {
    const { code, stdout } = run('shellcheck', [file]);
    t.equal(code, 0, `${file}\n${stdout}`);
  }
});

t.test('install.sh is POSIX sh, executable', async (t) => {
  t.match(readFileSync(installSh, 'utf8'), /^#!\/bin\/sh\n/);
  t.equal(run('sh', ['-n', installSh]).code, 0, 'sh -n parses it');
  t.ok(statSync(installSh).mode & 0o100, 'executable');
});

t.test('--help describes every option, exit 0', async (t) => {
  const { code, stdout } = run(installSh, ['--help']);
  t.equal(code, 0);
  for (const option of ['--role server|worker|both', '--uninstall', '--prefix', '--no-start', '--purge', '--help']) t.match(stdout, option);
});

t.test('bad usage: exit 2 and a message naming the problem, before any check', async (t) => {
  const cases: [string[], RegExp][] = [
    [['--role', 'gpu'], /--role: expected server, worker or both, got 'gpu'/],
    [['--role'], /--role needs a value/],
    [['--bogus'], /unknown argument: --bogus/],
    [['--prefix', 'relative/dir'], /--prefix: expected an absolute path/],
    [['--prefix', '/usr'], /refusing system folder '\/usr'/],
    [['--prefix', '/opt/plex beam'], /expected a plain absolute path/],
    [['--purge'], /--purge goes with --uninstall/],
    [['--uninstall', '--role', 'worker'], /--role does not go with --uninstall/],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = run(installSh, args);
    t.equal(code, 2, args.join(' '));
    t.match(stderr, message);
    t.match(stderr, 'Try: ./install.sh --help');
  }
});

t.test('not root: exit 1 saying to use sudo', { skip: process.getuid?.() === 0 && !has('setpriv') ? 'needs setpriv to drop root' : false }, async (t) => {
  // As root, drop to nobody. A clone can sit in a folder nobody may enter (CI clones into a
  // mktemp -d, mode 0700), so nobody runs a copy from a folder it can read.
  let script = installSh;
  if (process.getuid?.() === 0) {
    const dir = mkdtempSync(join(tmpdir(), 'plexbeam-install-nobody-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    chmodSync(dir, 0o755);
    script = join(dir, 'install.sh');
    copyFileSync(installSh, script);
    chmodSync(script, 0o755);
    // What install.sh sources before its checks.
    mkdirSync(join(dir, 'scripts'), { mode: 0o755 });
    for (const sourced of ['wsl.sh', 'worker-tls.sh']) {
      copyFileSync(join(root, 'scripts', sourced), join(dir, 'scripts', sourced));
      chmodSync(join(dir, 'scripts', sourced), 0o644);
    }
  }
  const asUser = process.getuid?.() === 0 ? run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', script, '--role', 'worker'], {}, dirname(script)) : run(installSh, ['--role', 'worker']);
  t.equal(asUser.code, 1);
  t.match(asUser.stderr, 'FAILED: install.sh must run as root');
  t.match(asUser.stderr, 'to fix: sudo ');
});

t.test('no systemd: exit 1 with what to do instead', { skip: process.getuid?.() === 0 && has('unshare') ? false : 'needs root and unshare' }, async (t) => {
  // Hide /run/systemd in a private mount namespace; refuse to go on if it is still there, so
  // this never installs on a machine that does run systemd.
  const script = `mount -t tmpfs tmpfs /run/systemd 2>/dev/null; [ -d /run/systemd/system ] && exit 99; exec "${installSh}" --role worker`;
  const { code, stderr } = run('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script]);
  t.not(code, 99, 'systemd could not be hidden');
  t.equal(code, 1);
  t.match(stderr, 'FAILED: systemd is not running on this machine');
  t.match(stderr, /to fix: .*plexbeam worker/);
});

t.test('the units pass systemd-analyze verify', { skip: has('systemd-analyze') ? false : 'systemd-analyze is not installed' }, async (t) => {
  // As install.sh writes them: the prefix substituted, here one whose plexbeam exists.
  const prefix = t.testdir({ bin: { plexbeam: '#!/bin/sh\n' } });
  chmodSync(join(prefix, 'bin', 'plexbeam'), 0o755);
  const dir = join(prefix, 'units');
  mkdirSync(dir);
  for (const unit of UNITS) writeFileSync(join(dir, unit), readFileSync(join(root, 'systemd', unit), 'utf8').replaceAll('/opt/plexbeam', prefix));
  const { code, stdout, stderr } = run('systemd-analyze', ['verify', ...UNITS.map((unit) => join(dir, unit))], { SYSTEMD_LOG_LEVEL: 'warning' });
  t.equal(code, 0, stderr);
  t.equal(`${stdout}${stderr}`.trim(), '', 'no warnings');
});

t.test('the units carry what SPEC and the docs promise', async (t) => {
  const worker = readFileSync(join(root, 'systemd', UNITS[0] as string), 'utf8');
  const watchdog = readFileSync(join(root, 'systemd', UNITS[1] as string), 'utf8');
  const server = readFileSync(join(root, 'systemd', UNITS[2] as string), 'utf8');
  for (const unit of [worker, watchdog, server]) {
    for (const line of ['Type=notify', 'NotifyAccess=all', 'Restart=on-failure', 'RestartPreventExitStatus=2', 'KillMode=mixed', 'NoNewPrivileges=yes', 'PrivateTmp=yes', 'ProtectSystem=strict', 'WantedBy=multi-user.target']) {
      t.match(unit, new RegExp(`^${line}$`, 'm'), line);
    }
    t.match(unit, /^WatchdogSec=\d+$/m);
  }
  t.match(worker, /^User=plexbeam$/m);
  t.match(worker, /^DeviceAllow=char-drm rw$/m);
  t.match(worker, /^DeviceAllow=char-nvidia-uvm rw$/m);
  t.notMatch(watchdog, /^User=/m, 'the watchdog runs as root: Plex\'s folder is root\'s');
  t.match(watchdog, /^ReadWritePaths=-\/usr\/lib\/plexmediaserver -\/var\/lib\/plexbeam/m);
  // Longer than the daemons' own grace periods (the watchdog waits 10 s for a repair).
  t.match(server, /^User=plex$/m, "the server runs as Plex's user, without capabilities");
  t.match(server, /^CapabilityBoundingSet=$/m);
  t.match(server, /^RuntimeDirectory=plexbeam$/m, 'its fleet cache lives in /run/plexbeam');
  for (const unit of [worker, watchdog, server]) t.ok(Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)?.[1]) > 10);
});
