/** The environment ffmpeg runs with: built by the worker, taking almost nothing from the (untrusted) request. */

/** A fixed PATH: the request's could point ffmpeg's helpers anywhere. */
export const JOB_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Hardware settings taken from the worker's own environment (set by its admin, e.g. in the unit file). */
const FROM_WORKER = [
  'LIBVA_DRIVER_NAME', 'LIBVA_DRIVERS_PATH', 'CUDA_VISIBLE_DEVICES', 'NVIDIA_VISIBLE_DEVICES',
  'NVIDIA_DRIVER_CAPABILITIES', 'LD_LIBRARY_PATH', 'OCL_ICD_FILENAMES',
];

/** Locale variables taken from the request, when their value looks like a locale. */
const FROM_REQUEST = /^(LANG|LANGUAGE|LC_[A-Z]+)$/;
const SAFE_VALUE = /^[A-Za-z0-9_.:@+-]{1,64}$/;

export interface JobEnvOptions {
  /** The request's `env` (untrusted). */
  requestEnv: Readonly<Record<string, string>>;
  /** The worker's own environment. */
  workerEnv: NodeJS.ProcessEnv;
  /** Per-job scratch folder: HOME and TMPDIR. */
  scratchDir: string;
  /** Shared cache folder (fontconfig's cache survives between jobs). */
  cacheDir: string;
}

/** Builds ffmpeg's environment. Everything else in the request (LD_*, FFREPORT, X_PLEX_TOKEN …) is dropped. */
export function buildJobEnv(options: JobEnvOptions): Record<string, string> {
  const env: Record<string, string> = { PATH: JOB_PATH, LANG: 'C.UTF-8' };
  for (const [name, value] of Object.entries(options.requestEnv)) {
    if (FROM_REQUEST.test(name) && SAFE_VALUE.test(value)) env[name] = value;
  }
  for (const name of FROM_WORKER) {
    const value = options.workerEnv[name];
    if (value !== undefined) env[name] = value;
  }
  env.HOME = options.scratchDir;
  env.TMPDIR = options.scratchDir;
  env.XDG_CACHE_HOME = options.cacheDir;
  return env;
}
