/** Timed child processes: start-to-event times, CPU seconds of a whole process tree, polling. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** A started process and its output so far; `exited` resolves with how and when (performance.now()) it ended. */
export interface TimedChild {
  child: ChildProcess;
  /** performance.now() just before the spawn. */
  startedAt: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Resolves with performance.now() when stderr first matches `pattern`. */
  stderrMatch(pattern: RegExp, timeoutMs?: number): Promise<number>;
}

/** Spawns `command args` (stdio piped) and keeps its output and the times of its events. */
export function startTimed(command: string, args: readonly string[], options: SpawnOptions = {}): TimedChild {
  const startedAt = performance.now();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
    for (const wake of waiters) wake();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, at: performance.now() }));
  });
  const stderrMatch = (pattern: RegExp, timeoutMs = 30_000) =>
    new Promise<number>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(err)) return;
        done();
        resolve(performance.now());
      };
      const timer = setTimeout(() => (done(), reject(new Error(`${command}: no ${pattern} on stderr within ${timeoutMs} ms; stderr: ${err.slice(-2000)}`))), timeoutMs);
      const done = () => (clearTimeout(timer), waiters.delete(check));
      waiters.add(check);
      void exited.then(() => setTimeout(() => (done(), reject(new Error(`${command} exited before ${pattern}; stderr: ${err.slice(-2000)}`))), 50), () => undefined);
      check();
    });
  return { child, startedAt, stdout: () => out, stderr: () => err, exited, stderrMatch };
}

/** Milliseconds from spawn to exit; a non-zero exit is an error (a failed case must not pass as a fast one). */
export async function msToExit(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<number> {
  const run = startTimed(command, args, options);
  const end = await run.exited;
  if (end.code !== 0) throw new Error(`${command} ${args.join(' ')}: exit ${end.code ?? end.signal}; stderr: ${run.stderr().slice(-2000)}`);
  return end.at - run.startedAt;
}

/** CPU seconds (user + system) of a process and every descendant it waited for, with its wall time. */
export interface TreeCpu {
  cpuSeconds: number;
  wallMs: number;
  code: number | null;
  stderr: string;
}

/**
 * Runs `command args` under `/bin/sh`, whose `times` builtin then prints the user and system CPU
 * of its children: the process and everything it started and waited for (kernel rusage, 10 ms ticks).
 */
export async function treeCpu(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<TreeCpu> {
  const run = startTimed('/bin/sh', ['-c', '"$0" "$@" >/dev/null; status=$?; times; exit $status', command, ...args], options);
  const end = await run.exited;
  const lines = run.stdout().trim().split('\n').filter((line) => /^\d+m[\d.]+s \d+m[\d.]+s$/.test(line));
  const children = lines.at(-1);
  if (lines.length < 2 || children === undefined) throw new Error(`no CPU times from sh for ${command}: ${run.stdout()}`);
  const seconds = (text: string) => {
    const [, minutes, secs] = /^(\d+)m([\d.]+)s$/.exec(text) as RegExpExecArray;
    return Number(minutes) * 60 + Number(secs);
  };
  const [user, system] = children.split(' ') as [string, string];
  return { cpuSeconds: seconds(user) + seconds(system), wallMs: end.at - run.startedAt, code: end.code, stderr: run.stderr() };
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux architecture Node runs on). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a live process used itself, and those of its children it has waited for, from /proc. */
export function procCpu(pid: number): { self: number; children: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14 … cstime 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  const at = (field: number) => fields[field - 3] ?? 0;
  return { self: (at(14) + at(15)) / TICKS_PER_SECOND, children: (at(16) + at(17)) / TICKS_PER_SECOND };
}

/** Polls `check` every `intervalMs` until it returns true; resolves with performance.now() then. */
export async function until(check: () => boolean, what: string, timeoutMs = 60_000, intervalMs = 2): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (check()) return performance.now();
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

/** Sends `signal` unless the process already ended, then waits for its end. */
export async function stopChild(run: TimedChild, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill(signal);
  await run.exited;
}
