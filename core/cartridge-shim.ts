/** The `Plex Transcoder` shim: its exact text, and how to recognise it (marker and known hash). */
import { createHash } from 'node:crypto';

/** Appears near the top of every PlexBeam shim; nothing of Plex's contains it. */
export const SHIM_MARKER = 'plexbeam-cartridge-shim';
export const SHIM_FORMAT_VERSION = 2;

/** Plex's environment is passed whole only up to this size (an exec argument may hold 128 KiB). */
const MAX_ENV_DUMP = 120_000;
/** The only PATH Node gets; it needs none itself (the real transcoder gets Plex's own). */
const NODE_PATH_VAR = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Variables moved aside in the fallback branch because they break a system Node. */
const MOVED = ['LD_LIBRARY_PATH', 'LD_PRELOAD', 'NODE_OPTIONS', 'NODE_PATH'];

export interface ShimOptions {
  /** Absolute path of the Node.js binary the shim starts. */
  nodePath: string;
  /** Absolute path of the built cartridge entry point (dist/cartridge/main.js). */
  cartridgeMain: string;
  /** `env`, which starts Node with a clean environment (default /usr/bin/env). */
  envPath?: string;
}

/** Single-quotes a string for POSIX sh. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'"'"'`)}'`;
}

/**
 * Renders the shim, a POSIX sh script (Plex execs it by path) that execs Node in place, so
 * Plex's signals reach the cartridge directly. Node starts with a clean environment (`env -i`):
 * Plex's own (LD_LIBRARY_PATH pointing at Plex's libraries, LD_PRELOAD, NODE_OPTIONS …) can
 * break it. Plex's environment travels whole, as the `export -p` builtin prints it, in
 * PLEXBEAM_ENV (an environment variable, not an argument: /proc/PID/cmdline is world-readable
 * and it holds X_PLEX_TOKEN), so the cartridge hands the real transcoder exactly what Plex gave.
 * Should it be too big for one exec argument, the old way is taken: the variables that break
 * Node are moved aside as PLEXBEAM_ORIG_<name>.
 */
export function renderShim(options: ShimOptions): string {
  const node = `${shellQuote(options.nodePath)} ${shellQuote(options.cartridgeMain)} "$@"`;
  const env = shellQuote(options.envPath ?? '/usr/bin/env');
  const saves = MOVED.map((name) => `[ "\${${name}+set}" = set ] && export PLEXBEAM_ORIG_${name}="$${name}" && unset ${name}`);
  return [
    '#!/bin/sh',
    `# ${SHIM_MARKER} v${SHIM_FORMAT_VERSION}: PlexBeam's stand-in for Plex Transcoder.`,
    "# Plex's own binary is 'Plex Transcoder.real' beside this file; `plexbeam cartridge uninstall` restores it.",
    '# Node gets a clean environment; Plex\'s own travels in PLEXBEAM_ENV for the real transcoder and the worker.',
    'PLEXBEAM_ENV=$(export -p)',
    `[ "\${#PLEXBEAM_ENV}" -lt ${MAX_ENV_DUMP} ] && exec ${env} -i PATH=${NODE_PATH_VAR} PLEXBEAM_SHIM="$0" PLEXBEAM_ENV="$PLEXBEAM_ENV" ${node}`,
    'unset PLEXBEAM_ENV',
    ...saves,
    'export PLEXBEAM_SHIM="$0"',
    `exec ${node}`,
    '',
  ].join('\n');
}

/** True when the file content is a PlexBeam shim (any version). */
export function isShim(content: Buffer | string): boolean {
  const head = typeof content === 'string' ? content.slice(0, 512) : content.subarray(0, 512).toString('latin1');
  return head.startsWith('#!') && head.includes(SHIM_MARKER);
}

/** MD5 hex of a buffer or string, as the watchdog and `cartridge status` report it. */
export function md5(content: Buffer | string): string {
  return createHash('md5').update(content).digest('hex');
}
