// scripts/wsl.sh, as install.sh uses it: WSL2 detected from /proc/version or WSL_DISTRO_NAME, the
// worker's drop-in adding /usr/lib/wsl/lib, nothing at all outside WSL (fake paths via the env).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { repoRoot } from '../harness/index.ts';

const SCRIPT = join(repoRoot(), 'scripts/wsl.sh');
const WSL_VERSION = 'Linux version 5.15.167.4-microsoft-standard-WSL2 (root@f9c826d3017f) (gcc (GCC) 11.2.0) #1 SMP Tue Nov 5 00:21:55 UTC 2024\n';
const DEBIAN_VERSION = 'Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0) #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)\n';

/** Runs `fn` from scripts/wsl.sh in sh with only the given environment. */
function call(fn: string, env: Record<string, string>) {
  const result = spawnSync('/bin/sh', ['-c', `. '${SCRIPT}'; ${fn}`], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function fakeHost(dir: string, version: string, withLib: boolean) {
  const procVersion = join(dir, 'version');
  writeFileSync(procVersion, version);
  const lib = join(dir, 'wsl-lib');
  if (withLib) {
    mkdirSync(lib);
    writeFileSync(join(lib, 'libcuda.so.1'), '');
  }
  return { PLEXBEAM_PROC_VERSION: procVersion, PLEXBEAM_WSL_LIB: lib };
}

t.test('WSL2 with the GPU library folder: the drop-in adds it to LD_LIBRARY_PATH', async (t) => {
  const env = fakeHost(t.testdir({}), WSL_VERSION, true);
  t.equal(call('plexbeam_is_wsl', env).code, 0);
  t.equal(call('plexbeam_wsl_lib_dir', env).stdout, `${env.PLEXBEAM_WSL_LIB}\n`);
  const dropin = call('plexbeam_wsl_dropin', env).stdout;
  t.match(dropin, /^\[Service\]$/m);
  t.match(dropin, new RegExp(`^Environment=LD_LIBRARY_PATH=${env.PLEXBEAM_WSL_LIB}$`, 'm'));
  t.match(dropin, /^DeviceAllow=\/dev\/dxg rw$/m, "WSL's GPU device past the unit's DevicePolicy=closed");
  const notes = call('plexbeam_wsl_notes', env).stdout;
  t.match(notes, /added to plexbeam-worker's LD_LIBRARY_PATH/);
  t.match(notes, /d3d12/, 'says what VAAPI in WSL means');
});

t.test('WSL_DISTRO_NAME alone is enough', async (t) => {
  const env = fakeHost(t.testdir({}), DEBIAN_VERSION, true);
  t.not(call('plexbeam_is_wsl', env).code, 0, 'a Debian kernel is not WSL');
  t.equal(call('plexbeam_is_wsl', { ...env, WSL_DISTRO_NAME: 'Debian' }).code, 0);
  t.match(call('plexbeam_wsl_dropin', { ...env, WSL_DISTRO_NAME: 'Debian' }).stdout, /LD_LIBRARY_PATH=/);
});

t.test('WSL without a GPU folder: no drop-in, a note saying software', async (t) => {
  const env = fakeHost(t.testdir({}), WSL_VERSION, false);
  t.equal(call('plexbeam_wsl_dropin', env).stdout, '');
  t.match(call('plexbeam_wsl_notes', env).stdout, /encodes in software/);
});

t.test('not WSL: nothing at all', async (t) => {
  const env = fakeHost(t.testdir({}), DEBIAN_VERSION, true);
  t.equal(call('plexbeam_wsl_lib_dir', env).stdout, '');
  t.equal(call('plexbeam_wsl_dropin', env).stdout, '');
  t.equal(call('plexbeam_wsl_notes', env).stdout, '');
  t.equal(call('plexbeam_wsl_notes', { ...env, PLEXBEAM_PROC_VERSION: join(t.testdirName, 'missing') }).code, 0, 'a missing /proc/version is not an error');
});
