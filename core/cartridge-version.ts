/** Which Plex Media Server version is installed: asked of Plex itself, else of dpkg. */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { cartridgePaths } from './cartridge-paths.ts';

/** Where the Debian/Ubuntu package installs Plex; dpkg's answer is only about that folder. */
export const DEBIAN_PLEX_DIR = '/usr/lib/plexmediaserver';

/** How long each version query may take, in milliseconds (two seconds). */
export const VERSION_TIMEOUT_MS = 2000;

/** Extracts a version like `1.41.3.9314-a0bfb8370` from Plex's or dpkg's output. */
export function parsePlexVersion(text: string): string | null {
  const match = /(\d+\.\d+\.\d+(?:\.\d+)?(?:-[0-9a-f]+)?)/i.exec(text);
  return match?.[1] ?? null;
}

/**
 * The version of the Plex in `plexDir`, or null when it cannot be read. Runs
 * `Plex Media Server --version` (short timeout: during an update it may be half-written or
 * busy), then, for the Debian folder only, `dpkg-query -W -f='${Version}' plexmediaserver`.
 */
export async function readPlexVersion(plexDir: string, timeoutMs = VERSION_TIMEOUT_MS): Promise<string | null> {
  const fromServer = await run(cartridgePaths(plexDir).server, ['--version'], timeoutMs);
  const version = fromServer === null ? null : parsePlexVersion(fromServer);
  if (version !== null || resolve(plexDir) !== DEBIAN_PLEX_DIR) return version;
  const fromDpkg = await run('dpkg-query', ['-W', '-f=${Version}', 'plexmediaserver'], timeoutMs);
  return fromDpkg === null ? null : parsePlexVersion(fromDpkg);
}

/** stdout of a command that exited 0 in time, else null (never throws). */
function run(file: string, args: string[], timeoutMs: number): Promise<string | null> {
  return new Promise((done) => {
    try {
      execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024, encoding: 'utf8' }, (error, stdout) =>
        done(error ? null : stdout),
      );
    } catch {
      done(null);
    }
  });
}
