/** The sandboxes of one job's commands: ffprobe read-only, ffmpeg with its outputs, both from the same roots and devices. */
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { WorkerConfig } from '../../core/config.ts';
import { resolveReal } from '../../core/paths.ts';
import type { CommandWrapper } from '../ffmpeg.ts';
import type { HardwareProbe, ProbeWrapper } from '../probe/index.ts';
import { confinementNote, wrapCommand, type Confinement } from './index.ts';
import { planJobSandbox } from './job-sandbox.ts';
import { emptySpec, type SandboxSpec } from './sandbox-spec.ts';

/** What the runner knows of a job before its commands run. */
export interface JobPaths {
  cwd: string;
  inputs: readonly string[];
  /** The job's scratch folder and the shared cache (read-write). */
  scratch: readonly string[];
  /** The job environment's PATH (where `ffmpeg` is looked up). */
  pathVar: string | undefined;
}

export interface JobWrappers {
  ffprobe: CommandWrapper;
  ffmpeg: CommandWrapper;
  /** How the job's ffmpeg runs, for its `job started` line: mode, network and why, devices. */
  note(): Record<string, unknown>;
}

/** Gives each job its wrappers; `mode` is what the worker enforces (for `/health`). */
export type JobConfiner = ((job: JobPaths) => JobWrappers) & { readonly mode: Confinement['mode'] };

/** Device nodes a backend uses: all of /dev/dri for VAAPI and QSV, every /dev/nvidia* node (WSL2: /dev/dxg) for NVENC, none for software. */
export function backendDevices(hardware: Pick<HardwareProbe, 'hwaccel'>, devDir = '/dev'): string[] {
  const list = (dir: string, pattern: RegExp) => {
    try {
      return readdirSync(dir).filter((name) => pattern.test(name)).sort().map((name) => `${dir}/${name}`);
    } catch {
      return [];
    }
  };
  if (hardware.hwaccel === 'nvenc') return list(devDir, /^(nvidia|dxg$)/);
  if (hardware.hwaccel === 'vaapi' || hardware.hwaccel === 'qsv') return list(devDir, /^dri$/);
  return [];
}

/** A confiner for the worker's jobs; the roots are resolved per job (a share mounted after start counts). */
export function createJobConfiner(deps: { confinement: Confinement; config: Pick<WorkerConfig, 'mediaRoots' | 'transcodeRoots'>; devices: readonly string[] }): JobConfiner {
  const confiner = (job: JobPaths): JobWrappers => {
    const roots = (list: readonly string[]) => list.map((root) => resolveReal(resolve(root)));
    const base = { cwd: job.cwd, inputs: job.inputs, scratch: job.scratch, mediaRoots: roots(deps.config.mediaRoots), transcodeRoots: roots(deps.config.transcodeRoots) };
    let last: SandboxSpec | null = null;
    return {
      ffprobe: (file, args) => wrapCommand(deps.confinement, file, args, planJobSandbox({ ...base, args, devices: [], writes: false }), job.pathVar),
      ffmpeg: (file, args) => {
        last = planJobSandbox({ ...base, args, devices: deps.devices });
        return wrapCommand(deps.confinement, file, args, last, job.pathVar);
      },
      note: () => (last === null ? { mode: deps.confinement.mode } : confinementNote(deps.confinement, last)),
    };
  };
  return Object.assign(confiner, { mode: deps.confinement.mode });
}

/** The probe's wrapper: nothing of any job bound, only the devices of the candidate under test. */
export function createProbeWrapper(confinement: Confinement, pathVar: string | undefined): ProbeWrapper {
  return (file, args, devices) => wrapCommand(confinement, file, args, emptySpec(devices), pathVar);
}
