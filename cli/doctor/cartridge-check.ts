/** Is the cartridge (the Plex Transcoder shim) installed, written by this PlexBeam, and runnable? */
import { existsSync } from 'node:fs';
import { readCartridgeStatus } from '../../core/cartridge-install.ts';
import type { ShimOptions } from '../../core/cartridge-shim.ts';
import { fail, pass, type Check } from './check.ts';

const INSTALL = 'sudo plexbeam cartridge install';

/** The `cartridge` check for the Plex in `plexDir`, with Plex's version in the detail. */
export async function checkCartridge(plexDir: string, shim: ShimOptions): Promise<Check> {
  const status = await readCartridgeStatus(plexDir, shim);
  const plex = `Plex ${status.plex_version ?? 'version unknown'}`;
  if (status.state === 'installed' && status.shim_current) {
    const missing = [shim.nodePath, shim.cartridgeMain].filter((path) => !existsSync(path));
    if (missing.length > 0) {
      return fail('cartridge', `the shim in ${plexDir} runs ${missing.join(' and ')}, which is missing: every transcode would fail`, 'reinstall PlexBeam (sudo ./install.sh), or restore Plex\'s transcoder now with `sudo plexbeam cartridge uninstall`');
    }
    return pass('cartridge', `installed in ${plexDir}; ${plex}; Plex's transcoder (Plex Transcoder.real) md5 ${status.real_md5}`);
  }
  if (status.state === 'not-installed') {
    return fail('cartridge', `not installed in ${plexDir} (${plex}): Plex runs its own transcoder and nothing reaches the workers`, INSTALL);
  }
  if (status.state === 'installed') {
    return fail('cartridge', `the shim in ${plexDir} was written by another PlexBeam install (${plex})`, INSTALL);
  }
  const version = status.plex_version === null ? '' : ` (${plex})`;
  return fail('cartridge', `${status.problem ?? status.state}${version}`, status.fix ?? INSTALL);
}
