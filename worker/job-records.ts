/**
 * A small file per running job (`<runDir>/<job id>.json`) saying what the worker started: its
 * own pid and start time, ffmpeg's process group with the leader's start time, and the job's
 * staging folders. A worker that was SIGKILLed cannot clean up; the next one reads these at
 * start (`cleanLeftovers`), kills the groups it can prove are the old ffmpegs, and removes
 * their scratch and staging folders. The folder must be the worker user's alone (0700), since
 * a record names processes to kill.
 */
import { lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { findRoot, resolveReal } from '../core/paths.ts';
import type { Logger } from '../core/log.ts';
import { groupMembers, waitForGroupGone } from './process-group.ts';
import { createRecordFiles, privateRecordDir } from './record-files.ts';
import { readBootId, readProcStat } from './proc-stat.ts';

/** What one record holds. */
export interface JobRecord {
  job_id: string;
  boot_id: string;
  worker_pid: number;
  worker_start: number;
  /** ffmpeg's process group (its pid), once it runs. */
  pgid: number | null;
  /** Start time of the group's leader (/proc/<pid>/stat field 22). */
  pgid_start: number | null;
  /** Absolute staging folders of the job's publishers. */
  staging: string[];
}

export interface JobRecords {
  /** Writes (or rewrites) the record of a job; does nothing when records are disabled. */
  save(jobId: string, fields: Partial<Pick<JobRecord, 'pgid' | 'pgid_start' | 'staging'>>): void;
  /** Removes a job's record (the job ended and cleaned up itself). */
  remove(jobId: string): void;
}

/** What a start-up found of one job of a dead worker. */
export interface Leftover {
  job_id: string;
  pgid: number | null;
  /** Processes of the old group that were SIGKILLed. */
  killed: number;
  /** Folders removed (scratch and staging). */
  removed: string[];
}

const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const RUN_DIR_OFF = 'the run folder is not private to the worker user (owner and mode 0700), or cannot be made: no cleanup after a crash';

/** Opens the records in `runDir` (created 0700). */
export function createJobRecords(runDir: string, log: Logger): JobRecords {
  const self = readProcStat(process.pid);
  return createRecordFiles<JobRecord>({
    folder: privateRecordDir(runDir, log, RUN_DIR_OFF),
    fresh: (jobId) => ({ job_id: jobId, boot_id: readBootId(), worker_pid: process.pid, worker_start: self?.startTime ?? 0, pgid: null, pgid_start: null, staging: [] }),
    log,
    warnFields: (jobId) => ({ job_id: jobId }),
    writeWarning: 'cannot write the job record: a crash would leave this job behind',
  });
}

export interface CleanupOptions {
  runDir: string;
  /** Parent of the per-job scratch folders (`<scratchRoot>/jobs/<id>`). */
  scratchRoot: string;
  /** Staging folders are only removed inside these. */
  transcodeRoots: readonly string[];
  log: Logger;
}

/**
 * True when the record's worker still runs: another worker on the same folder, or another server
 * in this very process (same pid and start time); its jobs are its own. A worker that got the
 * dead one's pid (pid 1 in a container) has another start time.
 */
function ownerAlive(record: JobRecord, bootId: string): boolean {
  if (record.boot_id !== bootId) return false;
  return readProcStat(record.worker_pid)?.startTime === record.worker_start;
}

/**
 * The old job's process group, if it is provably the one the record names: its leader runs with
 * the recorded start time, or the leader is gone but members of the group remain (Linux never
 * hands out a pid that is still some group's id). A recycled pid is never touched.
 */
function oldGroupMembers(record: JobRecord, bootId: string): number[] {
  if (record.pgid === null || record.boot_id !== bootId || record.pgid <= 1) return [];
  const leader = readProcStat(record.pgid);
  if (leader !== null && leader.startTime !== record.pgid_start) return [];
  return groupMembers(record.pgid).map((member) => member.pid);
}

/** Kills what dead workers left running and removes their folders; logs one line per job. */
export async function cleanLeftovers(options: CleanupOptions): Promise<Leftover[]> {
  const { log } = options;
  const dir = privateRecordDir(options.runDir, log, RUN_DIR_OFF);
  if (dir === null) return [];
  const bootId = readBootId();
  const found: Leftover[] = [];
  for (const name of readdirSync(dir)) {
    const jobId = name.replace(/\.json(\.tmp)?$/, '');
    if (!JOB_ID.test(jobId)) continue;
    let record: JobRecord;
    try {
      record = JSON.parse(readFileSync(join(dir, name), 'utf8')) as JobRecord;
    } catch {
      rmSync(join(dir, name), { force: true });
      continue;
    }
    if (record.job_id !== jobId || ownerAlive(record, bootId)) continue;
    const members = oldGroupMembers(record, bootId);
    if (members.length > 0) {
      try {
        process.kill(-(record.pgid as number), 'SIGKILL');
      } catch {
        // gone meanwhile
      }
      await waitForGroupGone(record.pgid as number, 2000);
    }
    // Folders are derived, never taken from the record as they are: the scratch from the job id,
    // staging folders only when they carry this job's tag and lie inside a transcode root.
    const tag = `.plexbeam-stage-${jobId.slice(0, 8)}-`;
    const staging = (Array.isArray(record.staging) ? record.staging : [])
      .filter((path): path is string => typeof path === 'string' && path.startsWith('/'))
      .map((path) => resolveReal(path))
      .filter((real) => basename(real).startsWith(tag) && findRoot(real, options.transcodeRoots) !== undefined);
    // A stream-mode job's mirror folder (worker/stream) is derived from the id too.
    const folders = [join(options.scratchRoot, 'jobs', jobId), join(options.scratchRoot, 'stream', jobId), ...staging];
    const removed: string[] = [];
    for (const folder of folders) {
      const existed = (() => {
        try {
          return lstatSync(folder).isDirectory();
        } catch {
          return false;
        }
      })();
      await rm(folder, { recursive: true, force: true }).catch(() => undefined);
      if (existed) removed.push(folder);
    }
    rmSync(join(dir, name), { force: true });
    const leftover: Leftover = { job_id: jobId, pgid: record.pgid, killed: members.length, removed };
    found.push(leftover);
    log.warn(leftover, `cleaned up after a previous worker: killed ${members.length} process(es) of job ${jobId}, removed ${removed.length} folder(s)`);
  }
  return found;
}
