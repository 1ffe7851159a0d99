/** The `Plex Transcoder` shim: its exact text, and how to recognise it (marker and known hash). */
import { createHash } from 'node:crypto';

/** Appears near the top of every PlexBeam shim; nothing of Plex's contains it. */
export const SHIM_MARKER = 'plexbeam-cartridge-shim';
export const SHIM_FORMAT_VERSION = 1;

export interface ShimOptions {
  /** Absolute path of the Node.js binary the shim starts. */
  nodePath: string;
  /** Absolute path of the built cartridge entry point (dist/cartridge/main.js). */
  cartridgeMain: string;
}

/** Single-quotes a string for POSIX sh. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'"'"'`)}'`;
}

/**
 * Renders the shim. It is a POSIX sh script (Plex execs it by path); it execs Node in place, so
 * Plex's signals reach the cartridge directly. Variables that break a system Node (Plex's
 * LD_LIBRARY_PATH, LD_PRELOAD, NODE_OPTIONS) are moved aside under PLEXBEAM_ORIG_* names so the
 * cartridge can hand the real transcoder the original environment.
 */
export function renderShim(options: ShimOptions): string {
  const moved = ['LD_LIBRARY_PATH', 'LD_PRELOAD', 'NODE_OPTIONS', 'NODE_PATH'];
  const saves = moved.map((name) => `[ "\${${name}+set}" = set ] && export PLEXBEAM_ORIG_${name}="$${name}" && unset ${name}`);
  return [
    '#!/bin/sh',
    `# ${SHIM_MARKER} v${SHIM_FORMAT_VERSION}: PlexBeam's stand-in for Plex Transcoder.`,
    "# Plex's own binary is 'Plex Transcoder.real' beside this file; `plexbeam cartridge uninstall` restores it.",
    ...saves,
    // Tells the cartridge where it was installed, so it finds `Plex Transcoder.real` beside it.
    'export PLEXBEAM_SHIM="$0"',
    `exec ${shellQuote(options.nodePath)} ${shellQuote(options.cartridgeMain)} "$@"`,
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
