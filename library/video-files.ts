/** Which files under the scanned folders are videos the library looks at. */
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';

/** Extensions of the video containers Plex plays (lower case, with the dot). */
export const VIDEO_EXTENSIONS: ReadonlySet<string> = new Set([
  '.mkv', '.mp4', '.m4v', '.mov', '.avi', '.ts', '.m2ts', '.mts', '.webm', '.wmv', '.mpg', '.mpeg', '.flv', '.3gp', '.ogv', '.divx', '.vob',
]);

/** The marker in the name of an encode's temporary output (`.NAME.plexbeam-<job>.tmp.EXT`). */
export const TMP_MARKER = '.plexbeam-';

/** True for the library's own files: a temporary output, or an original kept by --keep-original (`NAME.orig.EXT`). */
export function isLibraryByproduct(name: string): boolean {
  return name.includes(TMP_MARKER) || /\.orig\.[^.]+$/i.test(name);
}

/** True for a file name the library scans. */
export function isVideoName(name: string): boolean {
  return !name.startsWith('.') && VIDEO_EXTENSIONS.has(extname(name).toLowerCase()) && !isLibraryByproduct(name);
}

/**
 * Every video file under `dir`, depth first, in name order; symlinks are not followed (a link
 * to a folder would scan it twice, and replacing a link's target is not what its owner meant).
 * `Plex Versions` folders (Plex's own optimized copies) and hidden folders are left out.
 */
export async function* walkVideoFiles(dir: string): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name.startsWith('.') || entry.name === 'Plex Versions') continue;
      yield* walkVideoFiles(path);
    } else if (entry.isFile() && isVideoName(entry.name)) {
      yield path;
    }
  }
}
