/**
 * Child processes the demo and doctor start: each in its own process group (a Ctrl-C in the
 * terminal reaches only PlexBeam, which then stops them in order), output kept to a tail, and
 * a stop that escalates from SIGTERM to SIGKILL of the whole group.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';

/** How much of a child's stderr is kept for messages. */
const TAIL_BYTES = 16_384;

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** The last bytes of stderr. */
  stderr(): string;
  /** Resolves when it has exited (its pipes closed). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True once it has exited. */
  readonly done: boolean;
  /** SIGTERM to its group, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  env: Record<string, string>;
  cwd?: string;
  /** Called with each line of stdout. */
  onLine?: (line: string) => void;
  /**
   * Write stdout and stderr to this file (read back as they grow) instead of pipes. For a
   * daemon: should PlexBeam die, its output has nowhere to go through a pipe, and the worker's
   * logger then blocks for good (seen: a worker hung on exit after its reader was SIGKILLed).
   */
  logFile?: string;
}

/** util-linux's setpriv, which sets a parent-death signal and then execs the command (same pid). */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));

/**
 * Starts `program` with exactly `env` in a new process group. Where setpriv exists the child also
 * gets SIGTERM should PlexBeam itself die (even by SIGKILL), so nothing outlives it: the worker
 * then stops its jobs, the cartridge cancels its own.
 */
export function startChild(program: string, args: readonly string[], options: StartOptions): Child {
  const [file, argv] = SETPRIV === undefined ? [program, args] : [SETPRIV, ['--pdeathsig', 'SIGTERM', '--', program, ...args]];
  const log = options.logFile === undefined ? null : openSync(options.logFile, 'a', 0o600);
  const stdio = log === null ? (['ignore', 'pipe', 'pipe'] as const) : (['ignore', log, log] as const);
  const proc = spawn(file, argv, { env: options.env, cwd: options.cwd, stdio: [...stdio], detached: true });
  if (log !== null) closeSync(log);
  let err = '';
  let pending = '';
  let done = false;
  const onOut = (chunk: Buffer) => {
    if (log !== null) err = (err + chunk.toString()).slice(-TAIL_BYTES);
    if (options.onLine === undefined) return;
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) options.onLine(line);
  };
  proc.stderr?.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-TAIL_BYTES)));
  proc.stdout?.on('data', onOut);
  const follower = options.logFile === undefined ? null : followFile(options.logFile, onOut);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('error', (error) => {
      err += `${error.message}\n`;
      done = true;
      resolve({ code: 127, signal: null });
    });
    proc.once('close', (code, signal) => {
      follower?.stop();
      done = true;
      resolve({ code, signal });
    });
  });
  return {
    proc,
    pid: proc.pid ?? -1,
    stderr: () => err,
    exited,
    get done() {
      return done;
    },
    async stop(graceMs = 5000) {
      if (done) return;
      signalGroup(proc, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(proc, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // Anything of its group still there (a grandchild it left) goes too.
      signalGroup(proc, 'SIGKILL');
    },
  };
}

function signalGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (proc.pid === undefined) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // the group is gone
  }
}

/** Reads what is appended to `path` every 50 ms (and once more on stop), handing each new chunk on. */
function followFile(path: string, onChunk: (chunk: Buffer) => void): { stop(): void } {
  let offset = 0;
  const buffer = Buffer.alloc(65_536);
  const read = () => {
    let fd;
    try {
      fd = openSync(path, 'r');
    } catch {
      return;
    }
    try {
      for (let n = readSync(fd, buffer, 0, buffer.length, offset); n > 0; n = readSync(fd, buffer, 0, buffer.length, offset)) {
        offset += n;
        onChunk(Buffer.from(buffer.subarray(0, n)));
      }
    } finally {
      closeSync(fd);
    }
  };
  const timer = setInterval(read, 50);
  return {
    stop() {
      clearInterval(timer);
      read();
    },
  };
}
