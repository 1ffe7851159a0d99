/** bubblewrap's command line for one sandbox: the system read-only, the job's own paths, a fresh /tmp, /proc and /dev. */
import { lstatSync, readlinkSync } from 'node:fs';
import type { SandboxSpec } from './sandbox-spec.ts';

/** Top-level system folders: bound read-only, or recreated as the symlinks they are (merged /usr). */
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/**
 * The pieces of /etc ffmpeg opens (measured with strace on Debian 12: the loader cache, the
 * `/etc/alternatives` links libblas resolves through, fontconfig for subtitle burn-in, the time
 * zone for `-strftime` names). Nothing else of /etc exists inside: no passwd, shadow, ssh keys.
 */
const ETC_ALWAYS = ['/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/alternatives', '/etc/fonts', '/etc/localtime', '/var/cache/fontconfig'];

/** Added only when the network is shared: name resolution and the TLS trust store. */
const ETC_NETWORK = ['/etc/resolv.conf', '/etc/hosts', '/etc/nsswitch.conf', '/etc/gai.conf', '/etc/host.conf', '/etc/ssl', '/etc/ca-certificates', '/etc/gnutls'];

/** `--symlink` for a symlink (relative targets kept), `--ro-bind` for a folder, nothing when absent. */
function systemDir(path: string): string[] {
  try {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return ['--symlink', readlinkSync(path), path];
    return stat.isDirectory() ? ['--ro-bind', path, path] : [];
  } catch {
    return [];
  }
}

/**
 * bwrap's arguments up to and including `--`. Every namespace is private (user, pid, ipc, uts,
 * cgroup, and network unless the spec shares it); no capability is kept, even when the worker
 * runs as root; the sandbox dies with the worker (`--die-with-parent`). Later binds sit on top
 * of earlier ones, so the order is: system, /tmp, read-only paths, read-write folders, devices.
 *
 * No `--new-session`: the worker starts bwrap with `detached`, so the whole sandbox already runs
 * in a new session without a controlling terminal (what `--new-session` guards against, the
 * TIOCSTI injection), and staying in that one process group lets the worker signal ffmpeg and
 * wait until the group is gone.
 */
export function bwrapArgs(spec: SandboxSpec): string[] {
  const args = ['--unshare-all', ...(spec.network ? ['--share-net'] : []), '--die-with-parent', '--cap-drop', 'ALL'];
  for (const dir of SYSTEM_DIRS) args.push(...systemDir(dir));
  for (const path of [...ETC_ALWAYS, ...(spec.network ? ETC_NETWORK : [])]) args.push('--ro-bind-try', path, path);
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  for (const path of spec.readOnly) args.push('--ro-bind', path, path);
  for (const path of spec.readOnlyTry ?? []) args.push('--ro-bind-try', path, path);
  for (const path of spec.readWrite) args.push('--bind', path, path);
  for (const path of spec.devices) args.push('--dev-bind', path, path);
  // VAAPI and CUDA read the GPU's PCI identity from sysfs.
  if (spec.devices.length > 0) args.push('--ro-bind', '/sys', '/sys');
  args.push('--chdir', spec.cwd, '--');
  return args;
}
