/** A real `plexbeam worker` for the benchmarks: started from this build, its JSON log lines kept and searchable. */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { followJsonLogs } from '../test/harness/json-log-process.ts';

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

/** Starts `plexbeam worker` on 127.0.0.1 (port 0, or `worker.host`) with `worker` settings, its command after `prefix` (`ip netns exec …`); resolves once it listens. */
export async function startWorkerProcess(dir: string, worker: Record<string, unknown>, prefix: readonly string[] = []): Promise<WorkerProcess> {
  const apiKey = 'bench-worker-key-0123456789';
  const config = join(dir, 'worker-config.json');
  writeFileSync(config, JSON.stringify({ logLevel: 'info', worker: { host: '127.0.0.1', port: 0, apiKey, ...worker } }));
  // A clean environment, as systemd gives it: the login shell's NODE_EXTRA_CA_CERTS & co. slow Node down.
  const command = [...prefix, process.execPath, CLI_MAIN, 'worker', '--config', config];
  const proc: ChildProcess = spawn(command[0] as string, command.slice(1), {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { logs, exited, waitForLog } = followJsonLogs(proc, { timeoutMs: 60_000, stampKey: 'bench_at' });
  const { port } = (await waitForLog((line) => line.msg === 'listening')) as LogLine & { port: number };
  const url = `http://${typeof worker.host === 'string' ? worker.host : '127.0.0.1'}:${port}`;
  return {
    pid: proc.pid as number,
    url,
    apiKey,
    // Every line carries bench_at (stampKey above).
    logs: logs as LogLine[],
    waitForLog: (predicate, timeoutMs) => waitForLog((line) => predicate(line as LogLine), timeoutMs) as Promise<LogLine>,
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
