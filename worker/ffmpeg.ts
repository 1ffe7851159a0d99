/** Runs one ffmpeg in its own process group: streamed stderr and progress, cancellation that kills the whole group. */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { execa } from 'execa';
import { signalGroupInSandbox, waitForGroupGone } from './process-group.ts';
import { createProgressParser, type ProgressBlock } from './progress.ts';

/** Turns a command into the one that really runs (the kernel sandbox, worker/confine); identity when absent. */
export type CommandWrapper = (file: string, args: readonly string[]) => { file: string; args: string[]; sandboxed?: boolean };

export interface RunFfmpegOptions {
  path: string;
  argv: readonly string[];
  cwd: string;
  env: Record<string, string>;
  /** Aborting sends SIGTERM to the process group, then SIGKILL after `forceKillAfterMs`. */
  signal: AbortSignal;
  forceKillAfterMs: number;
  /** Wraps the command in the job's sandbox (bubblewrap); the sandbox then leads the process group. */
  wrap?: CommandWrapper;
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

/**
 * Starts ffmpeg with `-nostdin -progress pipe:3` in front of argv (never through a shell) and
 * resolves when it is gone. execa cancels (`cancelSignal`: SIGTERM, then SIGKILL after
 * `forceKillAfterDelay`) and keeps nothing of stderr (`buffer: false`: hours of it must not pile
 * up); it signals only the leader, so the abort handler here signals the whole group too, and
 * the group is SIGKILLed once the leader is gone.
 */
export async function runFfmpeg(options: RunFfmpegOptions): Promise<FfmpegExit> {
  const tail: string[] = [];
  const decoder = new StringDecoder('utf8');
  let partialLine = '';
  const keepTail = (text: string) => {
    const lines = (partialLine + text).split(/\r\n|\r|\n/);
    partialLine = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') tail.push(line);
    tail.splice(0, Math.max(0, tail.length - TAIL_LINES));
  };
  if (options.signal.aborted) return { code: null, signal: null, spawnError: null, stderrTail: [] };
  const wrap: CommandWrapper = options.wrap ?? ((file, args) => ({ file, args: [...args] }));
  const command = wrap(options.path, ['-nostdin', '-progress', 'pipe:3', ...options.argv]);
  // detached: ffmpeg (or its sandbox) leads a new session and process group, so cancelling can kill everything it started.
  const child = execa(command.file, command.args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    detached: true,
    cleanup: false,
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    buffer: false,
    reject: false,
    cancelSignal: options.signal,
    forceKillAfterDelay: options.forceKillAfterMs,
    // SIGCONT does nothing to a running bwrap; execa still SIGKILLs it after forceKillAfterDelay, and the sandbox with it.
    ...(command.sandboxed === true ? { killSignal: 'SIGCONT' as const } : {}),
  });
  const pid = child.pid;
  const onAbort = () => {
    if (pid === undefined) return;
    // In a sandbox, bwrap leads the group: execa's SIGTERM to it is held back (killSignal below), ffmpeg gets it.
    if (command.sandboxed === true) signalGroupInSandbox(pid, 'SIGTERM');
    else killProcessGroup(pid, 'SIGTERM');
  };
  options.signal.addEventListener('abort', onAbort, { once: true });
  if (pid !== undefined) options.onSpawn?.(pid);
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = decoder.write(chunk);
    keepTail(text);
    options.onStderr(text);
  });
  const progress = child.stdio[3] as Readable | null;
  progress?.on('data', createProgressParser(options.onProgress));
  if (options.onProgressData) progress?.on('data', (chunk: Buffer) => options.onProgressData?.(chunk.toString('latin1')));
  // Anything ffmpeg left in its group goes with it once the leader is gone.
  child.once('exit', () => {
    if (pid !== undefined) killProcessGroup(pid, 'SIGKILL');
  });
  const result = await child;
  options.signal.removeEventListener('abort', onAbort);
  keepTail(`${decoder.end()}\n`);
  // execa reports a failed start (ENOENT, EACCES) as a result without a pid.
  const spawnError = pid === undefined ? ((result.cause as Error | undefined) ?? new Error(result.shortMessage)) : null;
  const exit: FfmpegExit = { code: spawnError === null ? (result.exitCode ?? null) : null, signal: (result.signal as NodeJS.Signals | undefined) ?? null, spawnError, stderrTail: [...tail] };
  if (pid !== undefined) await waitForGroupGone(pid);
  return exit;
}
