/** Helpers for the worker tests: a real worker process, test media, the process table, the link reader. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { followJsonLogs } from '../harness/json-log-process.ts';

export const BIN = fileURLToPath(new URL('../../bin/plexbeam', import.meta.url));
export const FAKE_FFMPEG = fileURLToPath(new URL('./fixtures/fake-ffmpeg', import.meta.url));
export const API_KEY = 'test-key-0123456789';

export type LogLine = Record<string, unknown> & { msg?: string };

export interface RunningWorker {
  port: number;
  base: string;
  proc: ChildProcess;
  logs: LogLine[];
  /** JSON request with the API key (unless `headers` overrides it). */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any; text: string }>;
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` unless the worker already exited, and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Writes a config and starts `plexbeam worker` (the built CLI) with `env` added; resolves once it logs `listening`. */
export async function startWorker(dir: string, worker: Record<string, unknown>, env: Record<string, string> = {}): Promise<RunningWorker> {
  const config = join(dir, 'worker-config.json');
  writeFileSync(config, JSON.stringify({ logLevel: 'debug', worker: { host: '127.0.0.1', port: 0, apiKey: API_KEY, ...worker } }));
  const proc = spawn(BIN, ['worker', '--config', config], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: dir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { logs, exited, waitForLog } = followJsonLogs(proc, { timeoutMs: 20_000 });
  const { port } = (await waitForLog((line) => line.msg === 'listening')) as LogLine & { port: number };
  const base = `http://127.0.0.1:${port}`;
  return {
    port,
    base,
    proc,
    logs,
    waitForLog,
    exited,
    request: workerRequest(base),
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** Makes a small H.264/AAC Matroska file of `seconds` seconds. */
/** `request` of a RunningWorker: one call to the worker's API at `base` (the test key unless `headers` say otherwise), its status, body text and JSON (null where it is none: metrics). */
export function workerRequest(base: string): RunningWorker['request'] {
  return async (method, path, body, headers = { 'x-api-key': API_KEY }) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON (metrics)
    }
    return { status: response.status, json, text };
  };
}

export function makeMedia(path: string, seconds = 4): string {
  const result = spawnSync('ffmpeg', [
    '-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=s=320x240:r=25:d=${seconds}`, '-f', 'lavfi', '-i', `sine=d=${seconds}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-c:a', 'aac', path,
  ]);
  if (result.status !== 0) throw new Error(`ffmpeg could not make test media: ${result.stderr}`);
  return path;
}

/** Pids of every live process in process group `pgid`, from /proc (zombies excluded). */
export function processGroup(pgid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') pids.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

export interface LinkReader {
  messages: Record<string, any>[];
  /** Resolves with the first message matching, waiting for it if needed. */
  waitFor(predicate: (message: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
  /** Resolves when the worker ends the link. */
  ended: Promise<void>;
  /** Drops the connection, as a killed cartridge would. */
  destroy(): void;
}

/**
 * Opens `GET /jobs/:id/link` and collects its newline-delimited JSON messages. Like a cartridge,
 * it answers each callback once its body is complete (an empty 200, as Plex mostly answers).
 */
export function openLink(base: string, jobId: string, { after = 0, autoReply = true, onMessage = (_m: Record<string, any>) => {} } = {}): LinkReader {
  const messages: Record<string, any>[] = [];
  const waiters = new Set<() => void>();
  let response: IncomingMessage | undefined;
  let endLink!: () => void;
  const ended = new Promise<void>((resolve) => (endLink = resolve));
  const req = get(`${base}/jobs/${jobId}/link?after=${after}`, { headers: { 'x-api-key': API_KEY } }, (res) => {
    response = res;
    let partial = '';
    res.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') continue;
        const message = JSON.parse(line);
        messages.push(message);
        onMessage(message);
        if (autoReply && message.type.startsWith('callback') && message.end === true) void reply(base, jobId, message.seq);
      }
      for (const wake of waiters) wake();
    });
    res.on('end', endLink);
    res.on('close', endLink);
  });
  req.on('error', endLink);
  return {
    messages,
    ended,
    destroy: () => (response?.destroy(), req.destroy()),
    waitFor: (predicate, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(predicate);
          if (found === undefined) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => (waiters.delete(check), reject(new Error(`no such link message within ${timeoutMs} ms`))), timeoutMs);
        waiters.add(check);
        check();
      }),
  };
}

function reply(base: string, jobId: string, seq: number): Promise<unknown> {
  const body = JSON.stringify({ seq, status: 200 });
  return fetch(`${base}/jobs/${jobId}/callback-replies`, { method: 'POST', headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' }, body }).catch(() => undefined);
}

/** Polls `GET /status/:id` until the job has ended. */
export async function waitForEnd(worker: RunningWorker, jobId: string, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { json } = await worker.request('GET', `/status/${jobId}`);
    if (!['queued', 'running'].includes(json.state)) return json;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${json.state} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
