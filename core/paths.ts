/** Path helpers shared by the worker and `doctor`: pathMap rewriting and root containment. */
import { realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

export interface PathMapping {
  readonly from: string;
  readonly to: string;
}

const trimSlash = (path: string) => (path.length > 1 ? path.replace(/\/+$/, '') : path);

/** The pathMap entry whose `from` is the longest whole-segment prefix of `path`, if any. */
export function findPathMapping(path: string, map: readonly PathMapping[]): PathMapping | undefined {
  let best: PathMapping | undefined;
  for (const entry of map) {
    const from = trimSlash(entry.from);
    const matches = path === from || path.startsWith(from === '/' ? '/' : `${from}/`);
    if (matches && (best === undefined || from.length > trimSlash(best.from).length)) best = entry;
  }
  return best;
}

/** Rewrites a Plex-side path to the worker side with the most specific pathMap entry; unchanged when none applies. */
export function applyPathMap(path: string, map: readonly PathMapping[]): string {
  const entry = findPathMapping(path, map);
  if (entry === undefined) return path;
  const from = trimSlash(entry.from);
  const rest = from === '/' ? path.slice(1) : path.slice(from.length + 1);
  return rest === '' ? trimSlash(entry.to) : join(trimSlash(entry.to), rest);
}

/** True when the absolute `path` is `root` itself or inside it (no `..` tricks: both must be resolved). */
export function isWithin(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Resolves every symlink and `..` of an absolute path that may not exist yet: the realpath of
 * its nearest existing ancestor, then the missing rest. Walking one segment at a time matters:
 * `link/..` must follow the link first, as the kernel does, not cancel out on paper.
 */
export function resolveReal(path: string): string {
  const segments = resolveSegments(path);
  let current = '/';
  for (let index = 0; index < segments.length; index += 1) {
    const segment = segments[index] as string;
    const candidate = join(current, segment);
    try {
      current = realpathSync(candidate);
    } catch {
      // Nothing exists from here on (or it cannot be read): the rest is only a name.
      return resolve(candidate, ...segments.slice(index + 1));
    }
  }
  return current;
}

function resolveSegments(path: string): string[] {
  if (!isAbsolute(path)) throw new Error(`expected an absolute path, got ${path}`);
  return path.split('/').filter((segment) => segment !== '' && segment !== '.');
}

/** The first root (already resolved) that contains `path`, or undefined. */
export function findRoot(path: string, roots: readonly string[]): string | undefined {
  return roots.find((root) => isWithin(path, root));
}
