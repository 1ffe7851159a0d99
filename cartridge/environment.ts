/** The environments the cartridge hands on: Plex's original one, and the worker's (no token). */
import { isSecretEnvName } from '../core/redact.ts';
import { parseExportedEnv } from './exported-env.ts';

/** Variables the shim's fallback branch moves aside (as PLEXBEAM_ORIG_<name>) so they cannot break Node. */
const MOVED = ['LD_LIBRARY_PATH', 'LD_PRELOAD', 'NODE_OPTIONS', 'NODE_PATH'];

/**
 * Rebuilds the environment exactly as Plex gave it to the shim: from PLEXBEAM_ENV (the shim's
 * `export -p`) when present, else from this process's own, with moved variables put back.
 */
export function restorePlexEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  if (typeof env.PLEXBEAM_ENV === 'string') return parseExportedEnv(env.PLEXBEAM_ENV);
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

/**
 * The environment sent to a worker: Plex's, minus X_PLEX_TOKEN, which must never leave this
 * machine, and anything else named like a secret (…TOKEN, …PASSWORD, …API_KEY).
 */
export function workerEnv(plexEnv: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(plexEnv)) if (!isSecretEnvName(name)) out[name] = value;
  return out;
}
