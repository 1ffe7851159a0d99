/** Runs one ffmpeg in its own process group: streamed stderr and progress, cancellation that kills the whole group. */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { waitForGroupGone } from './process-group.ts';
import { createProgressParser, type ProgressBlock } from './progress.ts';

export interface RunFfmpegOptions {
  path: string;
  argv: readonly string[];
  cwd: string;
  env: Record<string, string>;
  /** Aborting sends SIGTERM to the process group, then SIGKILL after `forceKillAfterMs`. */
  signal: AbortSignal;
  forceKillAfterMs: number;
  onProgress(block: ProgressBlock): void;
  /** The same `-progress` output as raw text (for Plex's progress protocol, which reads it itself). */
  onProgressData?(text: string): void;
  /** stderr as it arrives (decoded UTF-8); nothing of it is kept but the last lines. */
  onStderr(text: string): void;
  onSpawn?(pid: number): void;
}

export interface FfmpegExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when ffmpeg could not be started at all (e.g. not installed). */
  spawnError: Error | null;
  /** The last stderr lines, for the log. */
  stderrTail: string[];
}

const TAIL_LINES = 20;

/** Signals a whole process group; a group already gone is not an error. */
export function killProcessGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: nothing left in the group.
  }
}

/** Starts ffmpeg with `-nostdin -progress pipe:3` in front of argv (never through a shell) and resolves when it is gone. */
export function runFfmpeg(options: RunFfmpegOptions): Promise<FfmpegExit> {
  const tail: string[] = [];
  const decoder = new StringDecoder('utf8');
  let partialLine = '';
  const keepTail = (text: string) => {
    const lines = (partialLine + text).split(/\r\n|\r|\n/);
    partialLine = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') tail.push(line);
    tail.splice(0, Math.max(0, tail.length - TAIL_LINES));
  };
  return new Promise((resolve) => {
    if (options.signal.aborted) return resolve({ code: null, signal: null, spawnError: null, stderrTail: [] });
    // detached: ffmpeg leads a new process group, so cancelling can kill everything it started.
    const child = spawn(options.path, ['-nostdin', '-progress', 'pipe:3', ...options.argv], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let forceKill: NodeJS.Timeout | undefined;
    let spawnError: Error | null = null;
    const killGroup = (signal: NodeJS.Signals) => {
      if (child.pid !== undefined) killProcessGroup(child.pid, signal);
    };
    const onAbort = () => {
      killGroup('SIGTERM');
      forceKill = setTimeout(() => killGroup('SIGKILL'), options.forceKillAfterMs);
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = decoder.write(chunk);
      keepTail(text);
      options.onStderr(text);
    });
    const progress = child.stdio[3] as Readable | null;
    progress?.on('data', createProgressParser(options.onProgress));
    if (options.onProgressData) progress?.on('data', (chunk: Buffer) => options.onProgressData?.(chunk.toString('latin1')));
    child.on('error', (error) => {
      spawnError = error;
    });
    child.on('exit', () => {
      clearTimeout(forceKill);
      // Anything ffmpeg left in its group goes with it.
      killGroup('SIGKILL');
    });
    child.on('close', (code, signal) => {
      clearTimeout(forceKill);
      options.signal.removeEventListener('abort', onAbort);
      keepTail(`${decoder.end()}\n`);
      const exit = { code: spawnError === null ? code : null, signal, spawnError, stderrTail: [...tail] };
      if (child.pid === undefined) return resolve(exit);
      void waitForGroupGone(child.pid).then(() => resolve(exit));
    });
  });
}
