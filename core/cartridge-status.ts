/** `plexbeam cartridge status`: the cartridge's state as a stable, documented report. */
import { existsSync } from 'node:fs';
import { defaultShimOptions } from './cartridge-paths.ts';
import type { ShimOptions } from './cartridge-shim.ts';
import { describeProblem, inspectCartridge, newestReal, type CartridgeState, type CartridgeStateName } from './cartridge-state.ts';
import { readPlexVersion } from './cartridge-version.ts';

/** `cartridge status --json`. SPEC fixes `installed`, `shim_md5`, `real_md5`, `plex_version`. */
export interface CartridgeStatus {
  /** The transcoder is PlexBeam's shim and `.real` is Plex's binary. */
  installed: boolean;
  state: CartridgeStateName;
  plex_dir: string;
  transcoder: string;
  /** md5 of the shim installed as `Plex Transcoder`, null when it is not a shim. */
  shim_md5: string | null;
  /** md5 of Plex's newest real binary (`.real` when installed, else the transcoder), null if none. */
  real_md5: string | null;
  /** Its permission bits, e.g. `0755`. */
  real_mode: string | null;
  /** md5 of `.real.prev` (kept only while an update is being applied), null when absent. */
  prev_md5: string | null;
  /** md5 of the shim this PlexBeam would write; `shim_current` says whether the installed one is it. */
  expected_shim_md5: string;
  shim_current: boolean;
  /** The cartridge entry point this PlexBeam's shim runs, and whether it exists (built). */
  cartridge_main: string;
  cartridge_main_exists: boolean;
  plex_version: string | null;
  /** For states that need attention: what is wrong and how to fix it. */
  problem: string | null;
  fix: string | null;
}

/** States where status exits 1: nothing PlexBeam can work with. */
export const BROKEN_STATES: ReadonlySet<CartridgeStateName> = new Set(['no-plex-dir', 'no-transcoder', 'shim-without-real', 'real-is-shim']);

/** Inspects `plexDir` and reads Plex's version. */
export async function readCartridgeStatus(plexDir: string, shim: ShimOptions = defaultShimOptions()): Promise<CartridgeStatus> {
  const state = await inspectCartridge(plexDir, shim);
  const plexVersion = state.name === 'no-plex-dir' ? null : await readPlexVersion(plexDir);
  return toStatus(state, plexVersion, shim);
}

/** The report for a state already inspected. */
export function toStatus(state: CartridgeState, plexVersion: string | null, shim: ShimOptions): CartridgeStatus {
  const real = newestReal(state);
  const problem = describeProblem(state) ?? attention(state);
  return {
    installed: state.name === 'installed',
    state: state.name,
    plex_dir: state.paths.plexDir,
    transcoder: state.paths.transcoder,
    shim_md5: state.transcoder?.shim ? state.transcoder.md5 : null,
    real_md5: real?.md5 ?? null,
    real_mode: real === null ? null : real.mode.toString(8).padStart(4, '0'),
    prev_md5: state.prev?.md5 ?? null,
    expected_shim_md5: state.shimMd5,
    shim_current: state.shimCurrent,
    cartridge_main: shim.cartridgeMain,
    cartridge_main_exists: existsSync(shim.cartridgeMain),
    plex_version: plexVersion,
    problem: problem?.problem ?? null,
    fix: problem?.fix ?? null,
  };
}

/** Healthy but passing states: what is going on and what will fix it. */
function attention(state: CartridgeState): { problem: string; fix: string } | null {
  const fix = 'the watchdog (`plexbeam-watchdog`) repairs it within seconds, or run `plexbeam cartridge install`';
  if (state.name === 'plex-updated') return { problem: 'Plex replaced the shim with a new Plex Transcoder (an update)', fix };
  if (state.name === 'transcoder-missing') return { problem: 'Plex Transcoder is missing (an update in progress?); Plex Transcoder.real is intact', fix };
  if (state.name === 'installed' && !state.shimCurrent) return { problem: 'the installed shim was written by another PlexBeam install', fix };
  return null;
}
