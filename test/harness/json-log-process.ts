/** Follows a daemon's JSON log lines on stdout (pino), for tests and benchmarks that wait on them. */
import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export type JsonLogLine = Record<string, any> & { msg?: string };

export interface JsonLogFollower {
  /** Every line so far, parsed (a line that is not JSON is kept as `{ msg: line }`). */
  logs: JsonLogLine[];
  /** How the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last `max` characters of stderr. */
  stderr(max?: number): string;
  /** Resolves with the first line matching `predicate`; rejects on timeout or when the process exits first. */
  waitForLog(predicate: (line: JsonLogLine) => boolean, timeoutMs?: number): Promise<JsonLogLine>;
}

export interface FollowOptions {
  /** Default wait of `waitForLog`, in milliseconds. */
  timeoutMs: number;
  /** When set, each line also gets this key holding `performance.now()` at its arrival. */
  stampKey?: string;
}

/** Starts collecting `proc`'s stdout JSON lines and stderr. */
export function followJsonLogs(proc: ChildProcess, options: FollowOptions): JsonLogFollower {
  const logs: JsonLogLine[] = [];
  const wakers = new Set<() => void>();
  let partial = '';
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  proc.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    const at = performance.now();
    for (const line of lines) {
      if (line.trim() === '') continue;
      let parsed: JsonLogLine;
      try {
        parsed = JSON.parse(line) as JsonLogLine;
      } catch {
        parsed = { msg: line };
      }
      logs.push(options.stampKey === undefined ? parsed : { ...parsed, [options.stampKey]: at });
    }
    for (const wake of wakers) wake();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  const tail = (max = 2000) => stderr.slice(-max);
  const waitForLog = (predicate: (line: JsonLogLine) => boolean, timeoutMs = options.timeoutMs) =>
    new Promise<JsonLogLine>((resolve, reject) => {
      const check = () => {
        const found = logs.find(predicate);
        if (found === undefined) return;
        done();
        resolve(found);
      };
      const timer = setTimeout(() => (done(), reject(new Error(`no such log line within ${timeoutMs} ms; stderr: ${tail()}`))), timeoutMs);
      const done = () => (clearTimeout(timer), wakers.delete(check));
      wakers.add(check);
      // A line may still be in flight when the process exits: give it a moment before giving up.
      void exited.then(() => setTimeout(() => (done(), reject(new Error(`the process exited; stderr: ${tail()}`))), 100));
      check();
    });
  return { logs, exited, stderr: tail, waitForLog };
}
