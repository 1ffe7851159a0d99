/** The environments the cartridge hands on: Plex's original one, and the worker's (no token). */

/** Variables the shim moves aside (as PLEXBEAM_ORIG_<name>) so they cannot break Node. */
const MOVED = ['LD_LIBRARY_PATH', 'LD_PRELOAD', 'NODE_OPTIONS', 'NODE_PATH'];

/** Rebuilds the environment exactly as Plex gave it to the shim. */
export function restorePlexEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || name === 'PLEXBEAM_SHIM' || name.startsWith('PLEXBEAM_ORIG_')) continue;
    out[name] = value;
  }
  for (const name of MOVED) {
    const saved = env[`PLEXBEAM_ORIG_${name}`];
    if (saved !== undefined) out[name] = saved;
  }
  return out;
}

/** The environment sent to a worker: Plex's, minus the token that must never leave this machine. */
export function workerEnv(plexEnv: Readonly<Record<string, string>>): Record<string, string> {
  const out = { ...plexEnv };
  delete out.X_PLEX_TOKEN;
  return out;
}
