/** Where the harness finds the checkout, its fixtures and the shared corpus, from sources or dist/. */
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root. This file is `test/harness/…` when run from sources and
 * `dist/test/harness/…` once built (the bench imports the built harness), so strip `dist/`.
 */
export function repoRoot(): string {
  const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
  return basename(root) === 'dist' ? dirname(root) : root;
}

/** The shared corpus folder: `PLEXBEAM_CORPUS_DIR`, else `shared/corpus` beside the checkout. */
export function corpusDir(): string {
  return process.env.PLEXBEAM_CORPUS_DIR ?? join(dirname(repoRoot()), 'shared', 'corpus');
}

/** The executable stand-in for `Plex Transcoder.real` (plain JavaScript, any Node on PATH). */
export function fakeRealScript(): string {
  return join(repoRoot(), 'test', 'fixtures', 'plex-transcoder-real');
}
