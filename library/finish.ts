/**
 * Finishing a job on the Plex side, once the worker has written the encode beside the original:
 * fsync → verify → worth it? → original unchanged? not playing? → (keep the original) → rename →
 * fsync the folder → done. Each step is recorded in the job's row before the next one starts, so
 * a server killed at any point resumes here, and every path leaves either the original untouched
 * or the verified encode in its place, never anything else (docs/LIBRARY.md "Never lose a file").
 */
import { rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LibraryJobRow, LibraryStore } from '../core/session-log/library-store.ts';
import { identityChange, readIdentity } from './identity.ts';
import { playingReason } from './in-use.ts';
import { fsyncPath, keepOriginal, renameOver } from './swap.ts';
import { verifyEncode } from './verify.ts';

/** The steps, in order, as recorded in `library_jobs.step` (and the crash hook's names). */
export const FINISH_STEPS = ['encoded', 'synced', 'verified', 'kept', 'renamed', 'swapped'] as const;
export type FinishStep = (typeof FINISH_STEPS)[number];

/** What finishing needs besides the store. */
export interface FinishDeps {
  store: LibraryStore;
  /** Called after each step is durable (the crash tests kill the process here). */
  onStep?: (step: FinishStep, job: LibraryJobRow) => void;
  /** Why the file must not be replaced now (default: the session log's live sessions and /proc). */
  playing?: (path: string) => Promise<string | null>;
  now?: () => number;
  signal?: AbortSignal;
}

/** How a finish ended: the job's new state (`finishing` again: waiting, e.g. while Plex plays the file). */
export type FinishOutcome = { state: 'done' | 'not-worthwhile' | 'failed' | 'finishing' | 'retry'; reason: string | null };

const exists = (path: string) => stat(path).then(() => true, () => false);

/** Runs (or resumes) the Plex-side steps of `job`, whose worker reported its encode complete. Never throws for a file problem: it says so in the outcome. */
export async function finishJob(job: LibraryJobRow, deps: FinishDeps): Promise<FinishOutcome> {
  const { store } = deps;
  const now = deps.now ?? Date.now;
  const step = (name: FinishStep, patch: Parameters<LibraryStore['updateJob']>[1] = {}) => {
    store.updateJob(job.id, { ...patch, step: name, state: 'finishing' });
    Object.assign(job, patch, { step: name });
    deps.onStep?.(name, job);
  };
  const end = async (outcome: FinishOutcome, removeTmp: boolean): Promise<FinishOutcome> => {
    if (removeTmp && job.tmpPath !== null) await rm(job.tmpPath, { force: true });
    if (outcome.state === 'finishing' || outcome.state === 'retry') {
      store.updateJob(job.id, { error: outcome.reason });
      return outcome;
    }
    store.updateJob(job.id, { state: outcome.state, endedAt: now(), error: outcome.reason });
    if (outcome.state !== 'done') store.setFileOutcome(job.path, outcome.state, outcome.reason);
    return outcome;
  };
  const tmp = job.tmpPath;
  if (tmp === null || job.original === null) return end({ state: 'failed', reason: 'the job has no temporary output or original recorded' }, false);
  const done = FINISH_STEPS.indexOf((job.step ?? 'encoded') as FinishStep);

  if (done < FINISH_STEPS.indexOf('verified')) {
    if (!(await exists(tmp))) return end({ state: 'retry', reason: 'the encode is not beside the original (the worker wrote it elsewhere, or it was removed)' }, false);
    await fsyncPath(tmp);
    step('synced');
    const verdict = await verifyEncode(job.path, tmp, job.codec, deps.signal);
    // Stopped mid-verification (the server stops): nothing decided, it resumes from `synced`.
    deps.signal?.throwIfAborted();
    if (verdict !== null) return end({ state: 'failed', reason: `verification failed: ${verdict}` }, true);
    const encoded = await readIdentity(tmp);
    const oldSize = job.original.size;
    const percent = ((oldSize - encoded.size) / oldSize) * 100;
    if (percent < job.minSavings) {
      return end({ state: 'not-worthwhile', reason: `saves ${percent.toFixed(1)} % (${oldSize} → ${encoded.size} bytes), less than --min-savings ${job.minSavings} %` }, true);
    }
    step('verified', { encoded, oldSize, newSize: encoded.size });
  }

  if (FINISH_STEPS.indexOf(job.step as FinishStep) < FINISH_STEPS.indexOf('swapped')) {
    const current = await readIdentity(job.path).catch(() => null);
    if (!(await exists(tmp))) {
      // After a crash at the rename: the new file holds the name (same inode as the encode), or the encode is gone.
      if (current !== null && job.encoded !== null && identityChange(job.encoded, current) === null) {
        await fsyncPath(dirname(job.path));
        step('swapped');
      } else {
        const how = current === null ? 'the original is gone too' : identityChange(job.original, current) === null ? 'the original is untouched' : 'the file at the name is neither';
        return end({ state: 'failed', reason: `the verified encode vanished before the swap (${how}); nothing replaced` }, false);
      }
    } else {
      if (current === null) return end({ state: 'failed', reason: 'the original was removed during the encode; the encode is discarded' }, true);
      const changed = identityChange(job.original, current);
      if (changed !== null) return end({ state: 'failed', reason: `the original changed during the encode (${changed}); not replaced` }, true);
      const encodedNow = await readIdentity(tmp);
      const tampered = job.encoded === null ? 'unknown' : identityChange(job.encoded, encodedNow);
      if (tampered !== null) return end({ state: 'failed', reason: `the encode changed after verification (${tampered}); not used` }, true);
      const playing = await (deps.playing ?? ((path: string) => playingReason(store.db, path)))(job.path);
      if (playing !== null) return end({ state: 'finishing', reason: `waiting to replace: ${playing}` }, false);
      if (job.keepOriginal) {
        try {
          await keepOriginal(job.path);
        } catch (error) {
          return end({ state: 'failed', reason: `cannot keep the original: ${(error as Error).message}; not replaced` }, true);
        }
        step('kept');
      }
      await renameOver(tmp, job.path, () => deps.onStep?.('renamed', job));
      step('swapped');
    }
  }

  const after = await stat(job.path);
  const saved = (job.oldSize ?? job.original.size) - after.size;
  // One transaction: a crash before it commits leaves the job at `swapped`, redone once.
  store.db.transaction(() => {
    store.setFileOutcome(job.path, 'done', null, { size: after.size, mtimeMs: after.mtimeMs, codec: job.codec, savedBytes: saved });
    store.updateJob(job.id, { state: 'done', endedAt: now(), savedBytes: saved, error: null, percent: 100 });
  })();
  return { state: 'done', reason: null };
}
