/** Finds the file a command name runs, as execvp would with a given PATH. */
import { accessSync, constants, realpathSync } from 'node:fs';
import { join } from 'node:path';

/** The real path of `name` (a path, or a name looked up in `pathVar`); null when nothing executable is found. */
export function resolveExecutable(name: string, pathVar: string | undefined): string | null {
  const candidates = name.includes('/') ? [name] : (pathVar ?? '').split(':').filter((dir) => dir !== '').map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return realpathSync(candidate);
    } catch {
      // not here
    }
  }
  return null;
}
