/** Runs Plex's own transcoder in place of a remote job, forwarding signals and reporting its fate. */
import { spawn } from 'node:child_process';

export interface ChildFate {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the binary could not be started at all. */
  error?: Error;
}

/** Signals Plex uses to stop a transcode; each is forwarded to the child. */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/**
 * Execs `realPath` with the identical argv, env and cwd and the same stdio. Signals that reach
 * the cartridge are forwarded while it runs; the promise settles with how the child ended.
 */
export function runReal(realPath: string, argv: readonly string[], env: Record<string, string>, cwd: string): Promise<ChildFate> {
  return new Promise((resolve) => {
    const child = spawn(realPath, argv, { env, cwd, stdio: 'inherit', argv0: realPath });
    const forward = (signal: NodeJS.Signals) => {
      child.kill(signal);
    };
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
    const done = (fate: ChildFate) => {
      for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
      resolve(fate);
    };
    child.once('error', (error) => done({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => done({ code, signal }));
  });
}
