/**
 * A file per running library job (`<scratchRoot>/library/<id>.json`, folder 0700) naming what a
 * worker that dies would leave: ffmpeg's process group (with its leader's start time) and the
 * partial output (with its inode). The next worker kills the group when it is provably that one
 * and removes the partial file when it is still the very file the job created.
 */
import { lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Logger } from '../../core/log.ts';
import { LIBRARY_TEMP_NAME } from '../../core/wire/library.ts';
import { groupMembers, waitForGroupGone } from '../process-group.ts';
import { readBootId, readProcStat } from '../proc-stat.ts';
import { createRecordFiles, privateRecordDir } from '../record-files.ts';

/** What one record holds. */
export interface LibraryRecord {
  id: string;
  boot_id: string;
  worker_pid: number;
  worker_start: number;
  /** The partial output and its inode (null before it was created). */
  output: string;
  ino: number | null;
  pgid: number | null;
  pgid_start: number | null;
}

export interface LibraryRecords {
  save(id: string, fields: Partial<Pick<LibraryRecord, 'output' | 'ino' | 'pgid' | 'pgid_start'>>): void;
  remove(id: string): void;
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const RECORDS_OFF = 'library job records are off (the folder is not private to the worker user): a crash would leave partial outputs';

/** Opens the records in `dir`. */
export function createLibraryRecords(dir: string, log: Logger): LibraryRecords {
  const self = readProcStat(process.pid);
  return createRecordFiles<LibraryRecord>({
    folder: privateRecordDir(dir, log, RECORDS_OFF),
    fresh: (id) => ({ id, boot_id: readBootId(), worker_pid: process.pid, worker_start: self?.startTime ?? 0, output: '', ino: null, pgid: null, pgid_start: null }),
    log,
    warnFields: (id) => ({ library_job: id }),
    writeWarning: 'cannot write the library job record',
  });
}

/** Kills what dead workers' library jobs left running and removes their partial outputs; one warn line per job. Returns how many it cleaned. */
export async function cleanLibraryLeftovers(dir: string, log: Logger): Promise<number> {
  const folder = privateRecordDir(dir, log, RECORDS_OFF);
  if (folder === null) return 0;
  const bootId = readBootId();
  let cleaned = 0;
  for (const name of readdirSync(folder)) {
    const id = name.replace(/\.json(\.tmp)?$/, '');
    if (!ID.test(id)) continue;
    let record: LibraryRecord;
    try {
      record = JSON.parse(readFileSync(join(folder, name), 'utf8')) as LibraryRecord;
    } catch {
      rmSync(join(folder, name), { force: true });
      continue;
    }
    // Another live worker (same boot, pid and start time) owns its jobs.
    if (record.id !== id || (record.boot_id === bootId && readProcStat(record.worker_pid)?.startTime === record.worker_start)) continue;
    let killed = 0;
    if (record.pgid !== null && record.pgid > 1 && record.boot_id === bootId) {
      const leader = readProcStat(record.pgid);
      const members = leader !== null && leader.startTime !== record.pgid_start ? [] : groupMembers(record.pgid);
      if (members.length > 0) {
        killed = members.length;
        try {
          process.kill(-record.pgid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
        await waitForGroupGone(record.pgid, 2000);
      }
    }
    let removed: string | null = null;
    if (typeof record.output === 'string' && record.output.startsWith('/') && LIBRARY_TEMP_NAME.test(basename(record.output))) {
      try {
        const stats = lstatSync(record.output);
        if (stats.isFile() && (record.ino === null || stats.ino === record.ino)) {
          rmSync(record.output, { force: true });
          removed = record.output;
        }
      } catch {
        // already gone
      }
    }
    rmSync(join(folder, name), { force: true });
    cleaned += 1;
    log.warn({ library_job: id, pgid: record.pgid, killed, removed }, `cleaned up after a previous worker: library job ${id}, killed ${killed} process(es), ${removed === null ? 'no partial output left' : 'removed its partial output'}`);
  }
  return cleaned;
}
