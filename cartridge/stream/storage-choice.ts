/**
 * `workers[].storage` (SPEC): which storage mode a job runs in on one worker, and why. `auto`
 * asks the worker's `POST /paths/stat` about the job's folders (each input's folder, and the
 * parent of each output folder: the session folder is new on every play), remembers each answer
 * per worker and folder for a few minutes in `storage-cache.json` beside the session log, and
 * takes shared storage when the worker can read every input and write every output folder after
 * its pathMap, else stream mode. A worker that cannot answer keeps shared storage (as before auto).
 */
import { dirname, join } from 'node:path';
import { nodeFs } from '../../core/builtins.ts';
import { fileInputIndices, inputPath, loopbackInputIndices, outputNames } from '../../core/stream/output-names.ts';
import { requestJson } from '../http.ts';

/** The mode chosen, and the words the session log and doctor show. */
export interface StorageChoice {
  mode: 'shared' | 'stream';
  reason: string;
}

export interface StorageQuestion {
  argv: readonly string[];
  cwd: string;
  worker: { url: string; apiKey: string; name?: string };
  setting: 'auto' | 'shared' | 'stream';
  /** Where storage-cache.json lives (the config's dataDir). */
  cacheDir: string;
  /** How long one /paths/stat may take. */
  timeoutMs: number;
  now?: number;
}

/** How long an answer of /paths/stat is trusted. */
export const STORAGE_CACHE_TTL_MS = 5 * 60_000;
const CACHE_FILE = 'storage-cache.json';

type Cache = Record<string, { ok: boolean; why: string; at: number }>;

interface StatAnswer { path: string; root: string | null; kind: string | null; readable: boolean | null; writable: boolean | null }

/** The folders `auto` asks about: `[folder, path asked, 'read' | 'write']`. */
export function storageQuestions(argv: readonly string[], cwd: string): [string, string, 'read' | 'write'][] {
  const asked = new Map<string, [string, string, 'read' | 'write']>();
  for (const index of fileInputIndices(argv)) {
    const path = inputPath(argv[index] as string, cwd);
    if (!asked.has(`r${dirname(path)}`)) asked.set(`r${dirname(path)}`, [dirname(path), path, 'read']);
  }
  for (const folder of new Set([cwd, ...outputNames(argv, cwd).folders])) {
    const parent = dirname(folder);
    if (!asked.has(`w${parent}`)) asked.set(`w${parent}`, [parent, parent, 'write']);
  }
  return [...asked.values()];
}

/** Chooses the storage mode of one job on one worker. */
export async function chooseStorage(question: StorageQuestion): Promise<StorageChoice> {
  if (question.setting !== 'auto') return { mode: question.setting, reason: `workers[].storage is "${question.setting}"` };
  // Plex's own loopback media URL: no worker reaches it, so the cartridge must read it (stream mode).
  const loopback = loopbackInputIndices(question.argv)[0];
  if (loopback !== undefined) return { mode: 'stream', reason: `auto: the input ${(question.argv[loopback] as string).replace(/\?.*/, '?…')} is on the Plex machine's loopback, which the worker cannot reach` };
  const now = question.now ?? Date.now();
  const fs = nodeFs();
  const cachePath = join(question.cacheDir, CACHE_FILE);
  let cache: Cache = {};
  try {
    cache = JSON.parse(fs.readFileSync(cachePath, 'utf8')) as Cache;
  } catch {
    cache = {};
  }
  const keyOf = (folder: string, access: string) => `${question.worker.url} ${access} ${folder}`;
  const questions = storageQuestions(question.argv, question.cwd);
  const unknown = questions.filter(([folder, , access]) => {
    const entry = cache[keyOf(folder, access)];
    return entry === undefined || now - entry.at > STORAGE_CACHE_TTL_MS || now < entry.at;
  });
  if (unknown.length > 0) {
    let results: StatAnswer[];
    try {
      const res = await requestJson(new URL('/paths/stat', question.worker.url).href, {
        method: 'POST',
        headers: question.worker.apiKey ? { 'x-api-key': question.worker.apiKey } : {},
        body: { paths: unknown.map(([, path]) => path) },
        signal: AbortSignal.timeout(question.timeoutMs),
      });
      results = (res.body as { results?: StatAnswer[] } | null)?.results ?? [];
      if (res.status !== 200 || results.length !== unknown.length) throw new Error(`HTTP ${res.status}`);
    } catch (error) {
      return { mode: 'shared', reason: `auto: the worker's /paths/stat did not answer (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); shared storage assumed` };
    }
    unknown.forEach(([folder, path, access], i) => {
      const r = results[i] as StatAnswer;
      const ok = access === 'read' ? r.root !== null && r.kind === 'file' && r.readable === true : r.root !== null && r.kind === 'directory' && r.writable === true;
      const why = ok ? '' : r.root === null ? `${path} is outside the worker's roots after its pathMap` : access === 'read' ? `the worker cannot read ${path}` : `the worker cannot write in ${path}`;
      cache[keyOf(folder, access)] = { ok, why, at: now };
    });
    // Best effort, by rename: a cache that cannot be written only costs the next job a question.
    try {
      for (const [key, entry] of Object.entries(cache)) if (now - entry.at > STORAGE_CACHE_TTL_MS) delete cache[key];
      const temp = `${cachePath}.${process.pid}.tmp`;
      fs.writeFileSync(temp, JSON.stringify(cache));
      fs.renameSync(temp, cachePath);
    } catch {
      // not written
    }
  }
  const failing = questions.map(([folder, , access]) => cache[keyOf(folder, access)]).find((entry) => entry !== undefined && !entry.ok);
  return failing === undefined
    ? { mode: 'shared', reason: 'auto: the worker reads every input and writes the output folder after its pathMap' }
    : { mode: 'stream', reason: `auto: ${failing.why}` };
}
