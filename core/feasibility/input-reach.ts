/** Whether a worker could open a session's input, judged from this machine's `worker` config section. */
import { posix } from 'node:path';
import type { WorkerConfig } from '../config.ts';
import { isLoopbackUrl } from '../loopback.ts';
import { applyPathMap, findPathMapping, findRoot } from '../paths.ts';

/**
 * mapped: under a mapped media path; unmapped: a local path outside all of them; loopback-url:
 * a URL on Plex's own loopback (Live TV, DVR); url: another URL; none: no input; unknown: not
 * checkable (no pathMap or roots in this config, or not an absolute path).
 */
export type InputState = 'mapped' | 'unmapped' | 'loopback-url' | 'url' | 'none' | 'unknown';

/** How inputs are checked: against the worker's roots after pathMap, pathMap prefixes alone, or not at all. */
export type InputCheckMode = 'roots' | 'path-map' | 'unknown';

/** A configured input check. */
export interface InputCheck {
  mode: InputCheckMode;
  /** What the check compares with, for reports. */
  describe: string;
  classify(input: string | null): InputState;
}

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * The worker section describes a worker machine, not necessarily this one; where it lists roots
 * or a pathMap (a `both` install, or a copy) analyze uses them, and says "unknown" otherwise.
 * Symlinks are not resolved: the worker's filesystem is not this one.
 */
export function createInputCheck(worker: Pick<WorkerConfig, 'mediaRoots' | 'transcodeRoots' | 'pathMap'>): InputCheck {
  const roots = [...worker.mediaRoots, ...worker.transcodeRoots].map((root) => posix.resolve(root));
  const mode: InputCheckMode = roots.length > 0 ? 'roots' : worker.pathMap.length > 0 ? 'path-map' : 'unknown';
  const describe =
    mode === 'roots'
      ? `worker.mediaRoots/transcodeRoots (${roots.join(', ')}) after worker.pathMap`
      : mode === 'path-map'
        ? `worker.pathMap prefixes (${worker.pathMap.map((m) => m.from).join(', ')})`
        : 'nothing: this config has no worker.pathMap or worker.mediaRoots';
  return {
    mode,
    describe,
    classify(raw) {
      if (raw === null || raw === '') return 'none';
      if (isLoopbackUrl(raw)) return 'loopback-url';
      const input = raw.startsWith('file:') ? raw.slice('file:'.length) : raw; // ffmpeg's file: protocol is a path
      if (URL_SCHEME.test(input)) return 'url';
      if (!input.startsWith('/') || mode === 'unknown') return 'unknown';
      if (mode === 'path-map') return findPathMapping(input, worker.pathMap) === undefined ? 'unmapped' : 'mapped';
      return findRoot(posix.resolve(applyPathMap(input, worker.pathMap)), roots) === undefined ? 'unmapped' : 'mapped';
    },
  };
}

/** The folder a recommendation names for an unmapped input: its first three path segments (fewer for shallow paths). */
export function inputRoot(input: string): string {
  const folders = posix.dirname(posix.resolve(input)).split('/').filter((s) => s !== '');
  return `/${folders.slice(0, 3).join('/')}`;
}

/**
 * Merges unmapped folders into the entries to recommend: siblings under one parent become the
 * parent (`/data/tv/A`, `/data/tv/B` → `/data/tv`), a lone folder stays itself.
 */
export function mergeRoots<T extends { root: string; count: number; durationMs: number }>(folders: readonly T[]): { root: string; count: number; durationMs: number; covers: string[] }[] {
  const byParent = new Map<string, T[]>();
  for (const folder of folders) {
    const parent = posix.dirname(folder.root);
    const key = parent === '/' ? folder.root : parent;
    byParent.set(key, [...(byParent.get(key) ?? []), folder]);
  }
  return [...byParent].map(([parent, group]) => {
    const only = group.length === 1 ? group[0] : undefined;
    return {
      root: only?.root ?? parent,
      count: group.reduce((sum, f) => sum + f.count, 0),
      durationMs: group.reduce((sum, f) => sum + f.durationMs, 0),
      covers: group.map((f) => f.root).sort(),
    };
  });
}
