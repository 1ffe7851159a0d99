/** Runs Plex's own transcoder in place of a remote job, forwarding signals and reporting its fate. */
import { join } from 'node:path';
import { nodeChildProcess } from '../core/builtins.ts';
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
 * Execs `realPath` with the identical argv, env and cwd and the same stdio (argv[0] is the path
 * Plex ran, when known). Every stop signal the cartridge gets is forwarded while it runs.
 */
export function runReal(realPath: string, argv: readonly string[], env: Record<string, string>, cwd: string, signals: StopSignals, argv0?: string): RealRun {
  const child = nodeChildProcess().spawn(realPath, argv, { env, cwd, stdio: 'inherit', argv0: argv0 ?? realPath });
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
