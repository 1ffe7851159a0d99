/** Reads Plex's folder and names the cartridge's state: the one place the state machine is decided. */
import { stat } from 'node:fs/promises';
import { describeFile, fileError, type FileInfo } from './cartridge-files.ts';
import { cartridgePaths, type CartridgePaths } from './cartridge-paths.ts';
import { md5, renderShim, type ShimOptions } from './cartridge-shim.ts';

/**
 * - `installed`: the transcoder is a shim, `.real` is Plex's binary.
 * - `not-installed`: the transcoder is Plex's binary, no `.real`.
 * - `plex-updated`: the transcoder is Plex's binary and `.real` exists too: Plex replaced the shim
 *   (or a repair was interrupted after `.real` was written); the transcoder is the newer binary.
 * - `transcoder-missing`: only `.real` (an update deleted the transcoder and has not written it yet).
 * - `shim-without-real`: the transcoder is a shim and Plex's binary is nowhere: broken.
 * - `real-is-shim`: `.real` is a shim, so it cannot be Plex's binary: broken.
 * - `no-transcoder`: neither file; `no-plex-dir`: the folder does not exist.
 */
export type CartridgeStateName =
  | 'installed'
  | 'not-installed'
  | 'plex-updated'
  | 'transcoder-missing'
  | 'shim-without-real'
  | 'real-is-shim'
  | 'no-transcoder'
  | 'no-plex-dir';

/** What is in Plex's folder right now. */
export interface CartridgeState {
  readonly name: CartridgeStateName;
  readonly paths: CartridgePaths;
  readonly transcoder: FileInfo | null;
  readonly real: FileInfo | null;
  readonly prev: FileInfo | null;
  /** The shim this PlexBeam writes, and its md5. */
  readonly shimText: string;
  readonly shimMd5: string;
  /** The installed shim is exactly the one this PlexBeam would write. */
  readonly shimCurrent: boolean;
}

/** Reads the transcoder, `.real` and `.real.prev` in `plexDir` and decides the state. */
export async function inspectCartridge(plexDir: string, shim: ShimOptions): Promise<CartridgeState> {
  const paths = cartridgePaths(plexDir);
  const shimText = renderShim(shim);
  const shimMd5 = md5(shimText);
  const base = { paths, shimText, shimMd5 };
  try {
    if (!(await stat(plexDir)).isDirectory()) return { ...base, name: 'no-plex-dir', transcoder: null, real: null, prev: null, shimCurrent: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError(error, 'read', plexDir);
    return { ...base, name: 'no-plex-dir', transcoder: null, real: null, prev: null, shimCurrent: false };
  }
  const [transcoder, real, prev] = await Promise.all([describeFile(paths.transcoder), describeFile(paths.real), describeFile(paths.prev)]);
  return { ...base, name: classify(transcoder, real), transcoder, real, prev, shimCurrent: transcoder?.md5 === shimMd5 };
}

function classify(transcoder: FileInfo | null, real: FileInfo | null): CartridgeStateName {
  if (real?.shim) return 'real-is-shim';
  if (transcoder === null) return real === null ? 'no-transcoder' : 'transcoder-missing';
  if (transcoder.shim) return real === null ? 'shim-without-real' : 'installed';
  return real === null ? 'not-installed' : 'plex-updated';
}

/** Plex's newest real binary in this state (what uninstall restores), or null. */
export function newestReal(state: CartridgeState): FileInfo | null {
  if (state.transcoder !== null && !state.transcoder.shim) return state.transcoder;
  if (state.real !== null && !state.real.shim) return state.real;
  return null;
}

/** For broken states: what is wrong and how to fix it; null for healthy ones. */
export function describeProblem(state: CartridgeState): { problem: string; fix: string } | null {
  const { plexDir } = state.paths;
  const reinstall = 'reinstall Plex Media Server (Debian/Ubuntu: `sudo apt-get install --reinstall plexmediaserver`)';
  switch (state.name) {
    case 'no-plex-dir':
      return { problem: `${plexDir} does not exist`, fix: 'install Plex Media Server, or pass --plex-dir / set `plexDir` in the config to its folder' };
    case 'no-transcoder':
      return { problem: `there is no Plex Transcoder in ${plexDir}`, fix: `check that ${plexDir} is Plex's install folder; if it is, ${reinstall}` };
    case 'shim-without-real':
      return {
        problem: "Plex Transcoder is PlexBeam's shim but Plex Transcoder.real (Plex's own binary) is missing",
        fix: `${reinstall}, then run \`plexbeam cartridge install\``,
      };
    case 'real-is-shim':
      return state.transcoder !== null && !state.transcoder.shim
        ? { problem: "Plex Transcoder.real is a PlexBeam shim, not Plex's binary", fix: 'remove Plex Transcoder.real, then run `plexbeam cartridge install`' }
        : { problem: "both Plex Transcoder and Plex Transcoder.real are PlexBeam shims: Plex's binary is gone", fix: `remove Plex Transcoder.real, ${reinstall}, then run \`plexbeam cartridge install\`` };
    default:
      return null;
  }
}
