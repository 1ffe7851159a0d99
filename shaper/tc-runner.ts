/** Runs `tc` (iproute2): one command at a time, failures as SHAPER_TC with tc's own message. */
import { execFile } from 'node:child_process';
import { PlexBeamError } from '../core/errors.ts';

/** A way to run tc; tests pass `['ip', 'netns', 'exec', NS, 'tc']` as the command. */
export interface TcRunner {
  /** Runs `tc ARGS…` and resolves with its stdout. */
  run(args: readonly string[]): Promise<string>;
}

/** Creates a runner for `command` (default `['tc']`). */
export function createTcRunner(command: readonly string[] = ['tc']): TcRunner {
  const [file, ...prefix] = command as [string, ...string[]];
  return {
    run: (args) =>
      new Promise((resolve, reject) => {
        execFile(file, [...prefix, ...args], { timeout: 10_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
          if (error === null) return resolve(stdout);
          const why = stderr.trim().split('\n').filter((line) => !line.startsWith('Warning:')).join('; ') || error.message;
          reject(new PlexBeamError('SHAPER_TC', `tc ${args.join(' ')}: ${why}`, { cause: error }));
        });
      }),
  };
}
