/**
 * One small JSON file per running job in a folder that is the worker user's alone (0700), for
 * the crash records of playback jobs (job-records.ts) and library jobs (library/records.ts): a
 * record names processes to kill and files to remove, so a folder others may write is not used.
 * Each save merges the new fields into the job's record and writes it whole through a rename.
 */
import { lstatSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../core/log.ts';

/** The folder, created 0700; null (records off, `offWarning` logged) when it is not this user's alone or cannot be made. */
export function privateRecordDir(dir: string, log: Logger, offWarning: string): string | null {
  let failure: unknown;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const info = lstatSync(dir);
    if (info.isDirectory() && info.uid === process.getuid?.() && (info.mode & 0o077) === 0) return dir;
  } catch (error) {
    failure = error;
  }
  log.warn({ ...(failure === undefined ? {} : { err: failure }), run_dir: dir }, offWarning);
  return null;
}

export interface RecordFiles<R> {
  /** Writes (or rewrites) the record of `id` with `fields` merged in; does nothing when records are off. */
  save(id: string, fields: Partial<R>): void;
  /** Removes the record of `id` (its job ended and cleaned up itself). */
  remove(id: string): void;
}

export interface RecordFilesOptions<R> {
  /** The folder of privateRecordDir; null: records are off. */
  folder: string | null;
  /** A job's first record, before any field is saved. */
  fresh(id: string): R;
  log: Logger;
  /** Log fields naming the job, and the warning, when a record cannot be written. */
  warnFields(id: string): Record<string, unknown>;
  writeWarning: string;
}

/** Records as `<folder>/<id>.json` (mode 0600). */
export function createRecordFiles<R extends object>(options: RecordFilesOptions<R>): RecordFiles<R> {
  const { folder, log } = options;
  const records = new Map<string, R>();
  return {
    save(id, fields) {
      if (folder === null) return;
      const record: R = { ...(records.get(id) ?? options.fresh(id)), ...fields };
      records.set(id, record);
      const file = join(folder, `${id}.json`);
      try {
        writeFileSync(`${file}.tmp`, JSON.stringify(record), { mode: 0o600 });
        renameSync(`${file}.tmp`, file);
      } catch (error) {
        log.warn({ err: error, ...options.warnFields(id) }, options.writeWarning);
      }
    },
    remove(id) {
      records.delete(id);
      if (folder !== null) rmSync(join(folder, `${id}.json`), { force: true });
    },
  };
}
