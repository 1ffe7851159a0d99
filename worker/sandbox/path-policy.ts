/** Where a job may read and write: pathMap applied, everything resolved, then checked against the roots. */
import { statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { WorkerConfig } from '../../core/config.ts';
import { PlexBeamError } from '../../core/errors.ts';
import { applyPathMap, findRoot, resolveReal, type PathMapping } from '../../core/paths.ts';
import { protocolOf } from './urls.ts';

export interface PathPolicy {
  readonly mediaRoots: readonly string[];
  readonly transcodeRoots: readonly string[];
  readonly pathMap: readonly PathMapping[];
}

/** A file an argv makes ffmpeg open: its resolved worker-side path and how it is opened. */
export interface FileAccess {
  readonly path: string;
  readonly access: 'read' | 'write';
}

/** Resolves the configured roots now (they may be symlinks, or mounted after the worker started). */
export function createPathPolicy(config: Pick<WorkerConfig, 'mediaRoots' | 'transcodeRoots' | 'pathMap'>): PathPolicy {
  const real = (roots: readonly string[]) => roots.map((root) => resolveReal(resolve(root)));
  return { mediaRoots: real(config.mediaRoots), transcodeRoots: real(config.transcodeRoots), pathMap: config.pathMap };
}

/** A 403 naming what was refused and why. */
export function forbid(message: string): PlexBeamError {
  return new PlexBeamError('WORKER_FORBIDDEN', message);
}

/** Applies pathMap to a whole path and to paths embedded after `=`, `:`, quotes… (filter arguments, `file:` URLs). */
export function mapPathsInValue(value: string, pathMap: readonly PathMapping[]): string {
  if (pathMap.length === 0) return value;
  const scheme = protocolOf(value);
  // URLs keep their paths: `/video/:/transcode/…` is Plex's, not a file (even if `/transcode` is mapped).
  if (scheme !== null && scheme !== 'file') return value;
  if (value.startsWith('/')) return applyPathMap(value, pathMap);
  return value.replace(/(^|[=:,;'"[\s])(\/[^:,;'"\]\s]*)/g, (_all, lead: string, path: string) => lead + applyPathMap(path, pathMap));
}

/**
 * True when ffmpeg's `url_find_protocol` could read `value` as a URL rather than a file: a
 * scheme of `[A-Za-z0-9+.-]` before `:` (nested ones such as `crypto+file:` included) or the
 * `subfile,,…:` form. Stricter than ffmpeg (which needs the protocol to exist): a file argument
 * must be a plain path.
 */
export function looksLikeUrl(value: string): boolean {
  return /^[A-Za-z0-9+.-]*:/.test(value) || /^subfile,/i.test(value);
}

/** The words of an option or filter argument that are taken for files: absolute, or with a `..` segment. */
export function pathWords(text: string): string[] {
  return text.split(/[=:,;\s]+/).filter((word) => word.startsWith('/') || /(?:^|\/)\.\.(?:\/|$)/.test(word));
}

/** The resolved worker-side path of an argument relative to the job's cwd. */
export function resolveArgPath(value: string, cwd: string): string {
  // Not path.join: it would cancel `link/..` on paper, where ffmpeg's open() follows the link first.
  return resolveReal(isAbsolute(value) ? value : `${cwd}/${value}`);
}

/** Throws 403 unless the (mapped) path is readable under mediaRoots or transcodeRoots. */
export function checkReadPath(policy: PathPolicy, what: string, value: string, cwd: string): FileAccess {
  const real = resolveArgPath(value, cwd);
  if (findRoot(real, [...policy.mediaRoots, ...policy.transcodeRoots]) === undefined) {
    throw forbid(`${what} ${JSON.stringify(value)} is outside the allowed folders (mediaRoots and transcodeRoots)`);
  }
  return { path: real, access: 'read' };
}

/**
 * checkReadPath for a file ffmpeg opens and reads: also refused when it exists but is not a
 * regular file (a FIFO or socket would hold the job; a folder only where `folderOk`, e.g. fonts).
 */
export function checkReadFile(policy: PathPolicy, what: string, value: string, cwd: string, mustExist = false, folderOk = false): FileAccess {
  const access = checkReadPath(policy, what, value, cwd);
  let stats;
  try {
    stats = statSync(access.path);
  } catch {
    if (mustExist) throw forbid(`${what} ${JSON.stringify(value)} does not exist`);
    return access;
  }
  if (!stats.isFile() && !(folderOk && stats.isDirectory())) {
    throw forbid(`${what} ${JSON.stringify(value)} is not a regular file`);
  }
  return access;
}

/** Throws 403 unless the (mapped) path is writable: under transcodeRoots, or in a `Plex Versions/` folder of a media root. */
export function checkWritePath(policy: PathPolicy, what: string, value: string, cwd: string): FileAccess {
  const real = resolveArgPath(value, cwd);
  const access: FileAccess = { path: real, access: 'write' };
  if (findRoot(real, policy.transcodeRoots) !== undefined) return access;
  const mediaRoot = findRoot(real, policy.mediaRoots);
  if (mediaRoot !== undefined) {
    const segments = relative(mediaRoot, real).split(sep);
    if (segments.slice(0, -1).includes('Plex Versions')) return access;
    throw forbid(`${what} ${JSON.stringify(value)} writes into a media root outside a "Plex Versions" folder`);
  }
  throw forbid(`${what} ${JSON.stringify(value)} is outside the allowed folders (transcodeRoots)`);
}

/** Maps and checks the job's working directory: it must exist inside transcodeRoots. Returns the worker-side path. */
export function checkCwd(policy: PathPolicy, cwd: string): string {
  const mapped = applyPathMap(cwd, policy.pathMap);
  const real = resolveReal(mapped);
  if (findRoot(real, policy.transcodeRoots) === undefined) {
    throw forbid(`cwd ${JSON.stringify(cwd)} is outside the allowed folders (transcodeRoots); check worker.pathMap`);
  }
  let isDirectory = false;
  try {
    isDirectory = statSync(real).isDirectory();
  } catch {
    // reported below
  }
  if (!isDirectory) {
    throw forbid(`cwd ${JSON.stringify(cwd)} does not exist on the worker: is the transcode folder shared and pathMap right?`);
  }
  return real;
}
