/** The start-up check: does bubblewrap really confine a command here? Decides the worker's Confinement or refuses to start. */
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { EXIT_USAGE, PlexBeamError } from '../../core/errors.ts';
import { bwrapArgs } from './bwrap-args.ts';
import { resolveExecutable } from './executable.ts';
import type { Confinement } from './index.ts';
import { emptySpec } from './sandbox-spec.ts';

export interface CheckConfinementOptions {
  /** `worker.confinement`. */
  setting: 'auto' | 'bubblewrap' | 'unconfined';
  /** Where bwrap is looked up (the worker's PATH). */
  pathVar: string | undefined;
  /** Run the trial as this user (doctor, as root, asks for the service user's answer). */
  user?: { uid: number; gid: number };
}

/** How to make bubblewrap work, for the error and for doctor. */
export const CONFINEMENT_FIX =
  'install bubblewrap (sudo apt-get install bubblewrap); let the worker create user namespaces ' +
  '(sysctl user.max_user_namespaces > 0, kernel.unprivileged_userns_clone=1 where it exists; on Ubuntu 24.04 an AppArmor profile for bwrap; ' +
  'under systemd the unit from install.sh allows them); or set worker.confinement to "unconfined" to accept ffmpeg running without kernel confinement';

/** Landlock as far as the worker can tell without a native call: the LSM list, when securityfs shows it. */
function readLandlock(): string {
  try {
    const lsms = readFileSync('/sys/kernel/security/lsm', 'utf8').trim().split(',');
    return lsms.includes('landlock') ? 'enabled in this kernel (not applied: Node has no Landlock call)' : 'not enabled in this kernel';
  } catch {
    return 'unknown (securityfs not readable; not applied: Node has no Landlock call)';
  }
}

/** Runs `true` in the same sandbox a job gets (no network, nothing bound); resolves with bwrap's complaint, or null when it worked. */
async function tryBwrap(bwrapPath: string, pathVar: string | undefined, user?: { uid: number; gid: number }): Promise<string | null> {
  const truePath = resolveExecutable('true', pathVar) ?? '/usr/bin/true';
  const result = await execa(bwrapPath, [...bwrapArgs(emptySpec()), truePath], { reject: false, timeout: 10_000, stdin: 'ignore', extendEnv: false, env: { PATH: pathVar ?? '' }, ...user });
  if (result.exitCode === 0) return null;
  const said = String(result.stderr ?? '').trim().split('\n').pop();
  return said !== undefined && said !== '' ? said : (result.shortMessage ?? `bwrap exited with ${result.exitCode}`);
}

/** Decides what the worker enforces; throws CONFINEMENT_UNAVAILABLE when bubblewrap is required (auto or bubblewrap) but does not work. */
export async function checkConfinement(options: CheckConfinementOptions): Promise<Confinement> {
  const landlock = readLandlock();
  if (options.setting === 'unconfined') {
    return { mode: 'unconfined', bwrapPath: null, reason: 'worker.confinement is "unconfined"', landlock };
  }
  const bwrapPath = resolveExecutable('bwrap', options.pathVar);
  const problem = bwrapPath === null ? 'bubblewrap (bwrap) is not installed or not on PATH' : await tryBwrap(bwrapPath, options.pathVar, options.user);
  if (problem !== null || bwrapPath === null) {
    throw new PlexBeamError('CONFINEMENT_UNAVAILABLE', `worker.confinement is "${options.setting}" but ffmpeg cannot be confined here: ${problem}. Fix: ${CONFINEMENT_FIX}`, { exitCode: EXIT_USAGE });
  }
  return { mode: 'bubblewrap', bwrapPath, reason: null, landlock };
}

/** One sentence for the start log, systemd's status and doctor. */
export function describeConfinement(confinement: Confinement): string {
  if (confinement.mode === 'unconfined') {
    return `UNCONFINED: ffmpeg runs with the worker's own rights (${confinement.reason}); only the allow-list stands between a request and this machine`;
  }
  return 'confined by bubblewrap: ffmpeg sees the system read-only, its job\'s media roots read-only, its job folder and scratch read-write, nothing of /home, /root or other jobs, and no network unless its argv names a URL';
}
