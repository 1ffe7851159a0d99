/**
 * The baseline of the transcode rows: the very ffmpeg command the worker ran (its `job started`
 * log line), run directly in another folder, with nothing of PlexBeam around it.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { WorkerProcess } from './worker-process.ts';

/** ffmpeg as the worker runs it (`worker.ffmpegPath` default: `ffmpeg` on PATH). */
export const FFMPEG = 'ffmpeg';

/** What the worker ran for one job. */
export interface WorkerCommand {
  argv: string[];
  cwd: string;
}

/** A direct run of a worker command, moved to `cwd`. */
export interface DirectCommand {
  /** ffmpeg's arguments (with `-nostdin`, as the worker gives it; not `-progress`, which only feeds PlexBeam). */
  args: string[];
  cwd: string;
  /** The CSV list ffmpeg writes as each segment closes, when the command has one. */
  listPath: string | null;
}

/** The argv and cwd of the job the worker started in `cwd`, from its log. */
export async function workerCommand(worker: WorkerProcess, cwd: string, timeoutMs = 60_000): Promise<WorkerCommand> {
  const line = await worker.waitForLog((l) => l.msg === 'job started' && l.cwd === cwd, timeoutMs);
  const argv = line.argv as string[];
  if (argv.some((arg) => arg.includes('REDACTED') || arg.includes('/cb/'))) {
    throw new Error('the worker command sends callbacks through the worker: it cannot run without it');
  }
  return { argv, cwd };
}

/** The worker's command re-homed to `cwd`, with the staging folders it writes into created. */
export function directCommand(command: WorkerCommand, cwd: string): DirectCommand {
  const args = command.argv.map((arg) => arg.replaceAll(command.cwd, cwd));
  for (const arg of args) {
    const stage = /^(.*?\.plexbeam-stage[^/]*)\//.exec(arg)?.[1];
    if (stage !== undefined) mkdirSync(isAbsolute(stage) ? stage : resolve(cwd, stage), { recursive: true });
  }
  const list = args[args.indexOf('-segment_list') + 1];
  return { args: ['-nostdin', ...args], cwd, listPath: args.includes('-segment_list') && list !== undefined ? resolve(cwd, list) : null };
}

/** True once the CSV list at `path` names a finished segment. */
export function listsASegment(path: string): boolean {
  if (!existsSync(path)) return false;
  return /\n/.test(readFileSync(path, 'utf8'));
}

