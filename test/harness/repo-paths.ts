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

/**
 * The Plex argv corpus: `PLEXBEAM_CORPUS_DIR` when set (a larger set to try), else the copy in
 * the repository, `test/fixtures/corpus/` (refreshed by `scripts/sync-corpus.sh`).
 */
export function corpusDir(): string {
  return process.env.PLEXBEAM_CORPUS_DIR ?? join(repoRoot(), 'test', 'fixtures', 'corpus');
}

/** The executable stand-in for `Plex Transcoder.real` (plain JavaScript, any Node on PATH). */
export function fakeRealScript(): string {
  return join(repoRoot(), 'test', 'fixtures', 'plex-transcoder-real');
}
