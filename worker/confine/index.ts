/**
 * Kernel confinement of every ffmpeg and ffprobe the worker runs: each runs inside a bubblewrap
 * sandbox that sees the system read-only, its own job's paths, a fresh /tmp, /proc and /dev, and
 * no network unless its argv names a URL. `worker.confinement` chooses; the worker checks it at start.
 */
import { dirname } from 'node:path';
import { bwrapArgs } from './bwrap-args.ts';
import { resolveExecutable } from './executable.ts';
import type { SandboxSpec } from './sandbox-spec.ts';

export { checkConfinement, describeConfinement, type CheckConfinementOptions } from './check.ts';
export { planJobSandbox, type JobSandboxFacts } from './job-sandbox.ts';
export { emptySpec, type SandboxSpec } from './sandbox-spec.ts';

/** What the worker enforces, decided once at start. */
export interface Confinement {
  readonly mode: 'bubblewrap' | 'unconfined';
  /** Absolute path of bwrap (null when unconfined). */
  readonly bwrapPath: string | null;
  /** Why it runs unconfined (the setting said so), or null. */
  readonly reason: string | null;
  /** What the kernel offers beyond bubblewrap, for the start log and doctor (never applied: see docs/WORKER.md). */
  readonly landlock: string;
}

/** A command ready for spawn: bwrap and its arguments, or the command itself when unconfined. */
export interface WrappedCommand {
  file: string;
  args: string[];
  /** bwrap leads the process group (signals for ffmpeg must skip it). */
  sandboxed?: boolean;
}

/** The confinement that runs commands as they are (tests that build a server directly; `"unconfined"`). */
export const UNCONFINED: Confinement = { mode: 'unconfined', bwrapPath: null, reason: 'not confined by this caller', landlock: 'not checked' };

/** Folders whose binaries the sandbox already sees. */
const SYSTEM_PREFIXES = ['/usr/', '/bin/', '/sbin/', '/lib/', '/lib64/'];

/**
 * Wraps `file args` in the sandbox `spec`. `pathVar` is the PATH `file` is looked up in (the job
 * environment's); a binary outside the system folders (`worker.ffmpegPath` under /opt) gets its
 * own folder bound read-only.
 */
export function wrapCommand(confinement: Confinement, file: string, args: readonly string[], spec: SandboxSpec, pathVar: string | undefined): WrappedCommand {
  if (confinement.mode === 'unconfined' || confinement.bwrapPath === null) return { file, args: [...args] };
  const real = resolveExecutable(file, pathVar) ?? file;
  const own = SYSTEM_PREFIXES.some((prefix) => real.startsWith(prefix)) || !real.startsWith('/') ? [] : [dirname(real)];
  return { file: confinement.bwrapPath, args: [...bwrapArgs({ ...spec, readOnly: [...own, ...spec.readOnly] }), real, ...args], sandboxed: true };
}

/** A log field saying how one command runs: `{ mode, network, reason }`. */
export function confinementNote(confinement: Confinement, spec: SandboxSpec): Record<string, unknown> {
  if (confinement.mode === 'unconfined') return { mode: 'unconfined' };
  return {
    mode: 'bubblewrap',
    network: spec.network ? 'shared' : 'private',
    ...(spec.networkReason === null ? {} : { network_reason: spec.networkReason }),
    ...(spec.devices.length > 0 ? { devices: spec.devices } : {}),
  };
}
export { backendDevices, createJobConfiner, createProbeWrapper, type JobConfiner, type JobPaths, type JobWrappers } from './job-confiner.ts';
