/** A real `plexbeam worker` for the benchmarks: started from this build, its JSON log lines kept and searchable. */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/** A JSON log line, with `bench_at`: performance.now() when the benchmark read it. */
export type LogLine = Record<string, unknown> & { msg?: string; job_id?: string; bench_at: number };

/** A running worker. */
export interface WorkerProcess {
  pid: number;
  url: string;
  apiKey: string;
  logs: LogLine[];
  /** The first log line (already logged or to come) for which `predicate` holds. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** A JSON request to its API with the key. */
  request(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
  stop(): Promise<void>;
}

const self = fileURLToPath(import.meta.url);
/** The CLI of this build: dist/cli/main.js from dist/bench, cli/main.ts from the sources. */
export const CLI_MAIN = fileURLToPath(new URL(`../cli/main${extname(self)}`, import.meta.url));

/** Starts `plexbeam worker` on 127.0.0.1 (port 0) with `worker` settings; resolves once it listens. */
export async function startWorkerProcess(dir: string, worker: Record<string, unknown>): Promise<WorkerProcess> {
  const apiKey = 'bench-worker-key-0123456789';
  const config = join(dir, 'worker-config.json');
  writeFileSync(config, JSON.stringify({ logLevel: 'info', worker: { host: '127.0.0.1', port: 0, apiKey, ...worker } }));
  // A clean environment, as systemd gives it: the login shell's NODE_EXTRA_CA_CERTS & co. slow Node down.
  const proc: ChildProcess = spawn(process.execPath, [CLI_MAIN, 'worker', '--config', config], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
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
      try {
        logs.push({ ...(JSON.parse(line) as Record<string, unknown>), bench_at: at });
      } catch {
        logs.push({ msg: line, bench_at: at });
      }
    }
    for (const wake of wakers) wake();
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const waitForLog = (predicate: (line: LogLine) => boolean, timeoutMs = 60_000) =>
    new Promise<LogLine>((resolve, reject) => {
      const check = () => {
        const found = logs.find(predicate);
        if (found === undefined) return;
        done();
        resolve(found);
      };
      const timer = setTimeout(() => (done(), reject(new Error(`no such worker log line within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`))), timeoutMs);
      const done = () => (clearTimeout(timer), wakers.delete(check));
      wakers.add(check);
      void exited.then(() => setTimeout(() => (done(), reject(new Error(`the worker exited; stderr: ${stderr.slice(-2000)}`))), 50));
      check();
    });
  const { port } = (await waitForLog((line) => line.msg === 'listening')) as LogLine & { port: number };
  const url = `http://127.0.0.1:${port}`;
  return {
    pid: proc.pid as number,
    url,
    apiKey,
    logs,
    waitForLog,
    async request(method, path, body) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { 'x-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
      return { status: res.status, json };
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}
