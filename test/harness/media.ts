/** Real test media made once with ffmpeg's lavfi sources, cached, and checked with ffprobe. */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { withDirLock } from './dir-lock.ts';
import { runTool } from './ffmpeg-tools.ts';
import { MEDIA_RECIPES, type MediaKey, type MediaRecipe } from './media-recipes.ts';
import { checkMedia, type MediaFacts } from './media-check.ts';

/** One generated file: where it is and what ffprobe found in it. */
export interface MediaFile extends MediaFacts {
  key: MediaKey;
  path: string;
  description: string;
}

/** A generated set of media (a subset of the recipes when made by ensureMediaSet). */
export interface MediaSet {
  dir: string;
  /** Hash of the recipes; the default folder name carries it, so changed recipes regenerate. */
  hash: string;
  /** How long generating and verifying took (ms), when it happened (possibly in another process). */
  generationMs: number;
  /** True when this call found the media already made. */
  fromCache: boolean;
  files: Partial<Record<MediaKey, MediaFile>>;
}

/** The full test media set: every MediaKey present. */
export interface TestMedia extends MediaSet {
  files: Record<MediaKey, MediaFile>;
}

interface Manifest {
  hash: string;
  generationMs: number;
  files: Record<string, MediaFacts>;
}

const MANIFEST = 'manifest.json';
const LOCK_WAIT_MS = 5 * 60_000;
let pending: Promise<TestMedia> | undefined;

/**
 * Makes the test media (once; later calls and other processes reuse them) and returns their
 * paths and probed facts. Folder: `PLEXBEAM_TEST_MEDIA_DIR`, else `<tmpdir>/plexbeam-test-media-<hash>`.
 */
export function ensureTestMedia(): Promise<TestMedia> {
  pending ??= ensureMediaSet(MEDIA_RECIPES, process.env.PLEXBEAM_TEST_MEDIA_DIR || undefined).then(
    (set) => set as TestMedia,
    (error: unknown) => {
      pending = undefined;
      throw error;
    },
  );
  return pending;
}

/** A hash of everything that decides the content of `recipes`. */
export function mediaRecipesHash(recipes: readonly MediaRecipe[] = MEDIA_RECIPES): string {
  return createHash('sha256').update(JSON.stringify(recipes)).digest('hex').slice(0, 16);
}

/** ensureTestMedia for any set of recipes, in `dir` (default `<tmpdir>/plexbeam-test-media-<hash>`). */
export async function ensureMediaSet(recipes: readonly MediaRecipe[], dir?: string): Promise<MediaSet> {
  const hash = mediaRecipesHash(recipes);
  const target = resolve(dir ?? join(tmpdir(), `plexbeam-test-media-${hash}`));
  const cached = await readManifest(target, hash, recipes);
  if (cached) return toMediaSet(target, cached, recipes, true);
  return withDirLock(`${target}.lock`, LOCK_WAIT_MS, async () => {
    const made = await readManifest(target, hash, recipes); // another process may have made them meanwhile
    if (made) return toMediaSet(target, made, recipes, true);
    const tmp = `${target}.tmp-${process.pid}`;
    const manifest = await generateInto(tmp, hash, recipes);
    await replaceDir(tmp, target);
    return toMediaSet(target, manifest, recipes, false);
  });
}

/** Writes every recipe into `tmp` (two ffmpeg processes at a time), verifies them, writes the manifest. */
async function generateInto(tmp: string, hash: string, recipes: readonly MediaRecipe[]): Promise<Manifest> {
  const started = Date.now();
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    for (const r of recipes) if (r.text !== undefined) await writeFile(join(tmp, r.file), r.text);
    const queue = recipes.filter((r) => r.ffmpeg !== undefined);
    const worker = async () => {
      for (let r = queue.shift(); r; r = queue.shift()) await runTool('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...(r.ffmpeg ?? [])], { cwd: tmp });
    };
    await Promise.all([worker(), worker()]);
    const files: Record<string, MediaFacts> = {};
    for (const r of recipes) files[r.key] = await checkMedia(join(tmp, r.file), r);
    const manifest: Manifest = { hash, generationMs: Date.now() - started, files };
    await writeFile(join(tmp, MANIFEST), JSON.stringify(manifest, null, 2));
    return manifest;
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
}

/** Moves the finished `tmp` to `dir`, replacing an outdated media folder (never a foreign one). */
async function replaceDir(tmp: string, dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => null);
  if (entries !== null) {
    if (entries.length > 0 && !entries.includes(MANIFEST)) throw new Error(`${dir} is not empty and holds no ${MANIFEST}: not replacing it with test media`);
    await rm(dir, { recursive: true, force: true });
  }
  await rename(tmp, dir);
}

/** The manifest of `dir` when it matches `hash` and every file is still there at its size. */
async function readManifest(dir: string, hash: string, recipes: readonly MediaRecipe[]): Promise<Manifest | null> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as Manifest;
    if (manifest.hash !== hash) return null;
    for (const r of recipes) {
      const facts = manifest.files[r.key];
      if (facts === undefined || (await stat(join(dir, r.file))).size !== facts.size) return null;
    }
    return manifest;
  } catch {
    return null;
  }
}

function toMediaSet(dir: string, manifest: Manifest, recipes: readonly MediaRecipe[], fromCache: boolean): MediaSet {
  const files: Partial<Record<MediaKey, MediaFile>> = {};
  for (const r of recipes) files[r.key] = { ...(manifest.files[r.key] as MediaFacts), key: r.key, path: join(dir, r.file), description: r.description };
  return { dir, hash: manifest.hash, generationMs: manifest.generationMs, fromCache, files };
}
