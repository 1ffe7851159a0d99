/** `POST /paths/stat`: does the worker see Plex's paths (after pathMap), and may jobs use them? For `plexbeam doctor`. */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { PlexBeamError, describeValue } from '../core/errors.ts';
import { applyPathMap, findRoot, resolveReal } from '../core/paths.ts';
import type { PathPolicy } from './sandbox/path-policy.ts';

export interface PathStat {
  path: string;
  /** Where the path leads on the worker (pathMap applied, symlinks followed); null outside the roots, so no real path outside them is named. */
  worker_path: string | null;
  /**
   * The path with pathMap applied, as text (no symlink followed, nothing looked at): what the
   * worker's config makes of Plex's path, so doctor can show where it lands even outside the roots.
   */
  mapped: string;
  /** Which kind of root holds it; null when outside every root (then nothing else is looked at). */
  root: 'media' | 'transcode' | null;
  exists: boolean | null;
  kind: 'file' | 'directory' | 'other' | null;
  readable: boolean | null;
  writable: boolean | null;
}

const MAX_PATHS = 100;

const can = (path: string, mode: number) => access(path, mode).then(() => true, () => false);

/** Validates `{ "paths": [...] }` (400 otherwise) and returns the paths. */
export function parsePathStatRequest(body: unknown): string[] {
  const paths = (body as { paths?: unknown } | null)?.paths;
  if (!Array.isArray(paths) || paths.length > MAX_PATHS || paths.some((p) => typeof p !== 'string' || !p.startsWith('/') || p.includes('\0'))) {
    throw new PlexBeamError('WORKER_BAD_REQUEST', `paths: expected an array of up to ${MAX_PATHS} absolute paths, got ${describeValue(paths)}`);
  }
  return paths as string[];
}

/** Stats each path on the worker side. Paths outside the roots are not looked at nor named, so this reveals nothing else. */
export async function statPaths(paths: readonly string[], policy: PathPolicy): Promise<PathStat[]> {
  return Promise.all(
    paths.map(async (path): Promise<PathStat> => {
      const mapped = applyPathMap(path, policy.pathMap);
      const workerPath = resolveReal(mapped);
      const root = findRoot(workerPath, policy.transcodeRoots) ? 'transcode' : findRoot(workerPath, policy.mediaRoots) ? 'media' : null;
      const result: PathStat = { path, worker_path: root === null ? null : workerPath, mapped, root, exists: null, kind: null, readable: null, writable: null };
      if (root === null) return result;
      const info = await stat(workerPath).catch(() => null);
      result.exists = info !== null;
      if (info === null) return result;
      result.kind = info.isFile() ? 'file' : info.isDirectory() ? 'directory' : 'other';
      result.readable = await can(workerPath, constants.R_OK);
      result.writable = await can(workerPath, constants.W_OK);
      return result;
    }),
  );
}
