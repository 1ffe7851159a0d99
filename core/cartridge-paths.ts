/** Where the cartridge's files live in Plex's folder, and where PlexBeam itself is installed. */
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ShimOptions } from './cartridge-shim.ts';

export const TRANSCODER_NAME = 'Plex Transcoder';
export const REAL_SUFFIX = '.real';
export const PREV_SUFFIX = '.real.prev';
const TEMP_PREFIX = `.${TRANSCODER_NAME}.plexbeam-`;

/** The files of one Plex install that the cartridge manages. */
export interface CartridgePaths {
  readonly plexDir: string;
  /** `Plex Transcoder`: the shim when installed, Plex's binary otherwise. */
  readonly transcoder: string;
  /** `Plex Transcoder.real`: Plex's binary while the shim is installed. */
  readonly real: string;
  /** `Plex Transcoder.real.prev`: the previous real binary, kept only until an update is verified. */
  readonly prev: string;
  /** Serialises the CLI and the watchdog while they change files. */
  readonly lock: string;
  /** `Plex Media Server`, asked for its version. */
  readonly server: string;
}

/** The cartridge's paths inside `plexDir`. */
export function cartridgePaths(plexDir: string): CartridgePaths {
  const transcoder = join(plexDir, TRANSCODER_NAME);
  return {
    plexDir,
    transcoder,
    real: transcoder + REAL_SUFFIX,
    prev: transcoder + PREV_SUFFIX,
    lock: join(plexDir, '.plexbeam-cartridge.lock'),
    server: join(plexDir, 'Plex Media Server'),
  };
}

let tempCounter = 0;

/**
 * A fresh temporary name in `plexDir`. Temporaries live in the same folder so that the final
 * rename is atomic; the name carries our pid so a later run can tell a dead process's leftovers.
 */
export function tempPath(plexDir: string, purpose: string): string {
  tempCounter += 1;
  return join(plexDir, `${TEMP_PREFIX}${process.pid}-${tempCounter}-${purpose}.tmp`);
}

/** The pid that created a temporary of ours, or null when `name` is not one. */
export function tempOwner(name: string): number | null {
  if (!name.startsWith(TEMP_PREFIX) || !name.endsWith('.tmp')) return null;
  const pid = Number.parseInt(name.slice(TEMP_PREFIX.length), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/**
 * The folder PlexBeam runs from: the one holding `dist/`. This file is `core/…` in a checkout
 * run from sources and `dist/core/…` once built; the shim must always point at the built code.
 */
export function appRoot(moduleUrl: string = import.meta.url): string {
  const parent = dirname(dirname(fileURLToPath(moduleUrl)));
  return basename(parent) === 'dist' ? dirname(parent) : parent;
}

/** The shim this PlexBeam writes: this Node.js running dist/cartridge/main.js of this install. */
export function defaultShimOptions(): ShimOptions {
  return { nodePath: process.execPath, cartridgeMain: join(appRoot(), 'dist', 'cartridge', 'main.js') };
}
