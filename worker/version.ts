/** PlexBeam's version, from the package.json above this file (sources and dist/ sit at different depths). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `version` of the nearest package.json named plexbeam, or `unknown`. */
export function readPackageVersion(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'plexbeam' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // no package.json here: keep climbing
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
