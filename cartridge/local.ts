/** Runs Plex's own transcoder in place of a remote job, forwarding signals and reporting its fate. */
import { join } from 'node:path';
import { nodeChildProcess, nodeFs } from '../core/builtins.ts';
import type { StopSignals } from './signals.ts';

/** How a process ended: its exit code, or the signal that killed it. */
export interface ChildFate {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the binary could not be started at all. */
  error?: Error;
}

/** Plex's binary: `${PLEXBEAM_SHIM}.real` (beside the shim Plex ran), else `<plexDir>/Plex Transcoder.real`. */
export function realTranscoderPath(shimPath: string | undefined, plexDir: string): string {
  return shimPath ? `${shimPath}.real` : join(plexDir, 'Plex Transcoder.real');
}

export interface RealRun {
  /** The child's pid once started (undefined when it could not start). */
  pid: number | undefined;
  fate: Promise<ChildFate>;
}

/**
 * util-linux's `setpriv`, which sets a parent-death signal and execs the command in its own
 * process (Node has no prctl). Debian and Ubuntu ship it in the essential util-linux package.
 */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'];

/**
 * How to start `realPath` so that it dies with the cartridge: `setpriv --pdeathsig SIGKILL`
 * execs it in place (same pid, argv, env and cwd), so a SIGKILLed cartridge (Plex's hard stop)
 * leaves no transcoder behind. Without setpriv, or when the binary cannot be run (the spawn's
 * own error then says why: exit 127 or 126), it is started directly.
 */
function parentDeathCommand(realPath: string, argv: readonly string[]): { file: string; args: string[] } {
  const fs = nodeFs();
  const setpriv = SETPRIV.find((path) => fs.existsSync(path));
  let runnable = true;
  try {
    fs.accessSync(realPath, fs.constants.X_OK);
  } catch {
    runnable = false;
  }
  if (setpriv === undefined || !runnable) return { file: realPath, args: [...argv] };
  return { file: setpriv, args: ['--pdeathsig', 'SIGKILL', '--', realPath, ...argv] };
}

/**
 * Execs `realPath` with the identical argv, env and cwd and the same stdio (argv[0] is the path
 * Plex ran, when known and started directly). Every stop signal the cartridge gets is forwarded
 * while it runs; it is killed when the cartridge dies.
 */
export function runReal(realPath: string, argv: readonly string[], env: Record<string, string>, cwd: string, signals: StopSignals, argv0?: string): RealRun {
  const command = parentDeathCommand(realPath, argv);
  const options = { env, cwd, stdio: 'inherit' as const, ...(command.file === realPath ? { argv0: argv0 ?? realPath } : {}) };
  const child = nodeChildProcess().spawn(command.file, command.args, options);
  const fate = new Promise<ChildFate>((resolve) => {
    const stopForwarding = signals.listen((signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
    const done = (result: ChildFate) => {
      stopForwarding();
      resolve(result);
    };
    child.once('error', (error) => done({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => done({ code, signal }));
  });
  return { pid: child.pid, fate };
}
