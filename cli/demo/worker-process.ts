/**
 * The demo's loopback worker: `plexbeam worker --config <generated>` as a child process on
 * 127.0.0.1 (port 0), its JSON log lines followed; resolves once it listens.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PlexBeamError } from '../../core/errors.ts';
import { startChild, type Child } from './child.ts';

/** A JSON log line of the worker. */
export type WorkerLogLine = Record<string, unknown> & { msg?: string };

export interface LoopbackWorker {
  url: string;
  child: Child;
  logs: WorkerLogLine[];
  /** What its hardware probe chose: `nvenc`, `qsv`, `vaapi` or `software`, and the encoders. */
  hwaccel: string;
  encoders: string[];
  /** How its ffmpeg is confined (`bubblewrap`, `unconfined`), from its start-up log; null if it did not say. */
  confinement: string | null;
  stop(): Promise<void>;
}

export interface WorkerOptions {
  /** Node and the CLI's entry point (`dist/cli/main.js`). */
  node: string;
  cliMain: string;
  /** Where the generated config goes (and the worker's TMPDIR, for its scratch files). */
  dir: string;
  apiKey: string;
  mediaRoots: string[];
  transcodeRoots: string[];
  /** Extra `worker` keys (e.g. a confinement setting). */
  extra?: Record<string, unknown>;
  env: Record<string, string>;
  /** Give up when it has not listened after this long (default 60 s: the probe runs real encodes). */
  timeoutMs?: number;
  onChild?: (child: Child) => void;
}

/** Numbers the log files: a second start (without confinement) must not read the first one's lines. */
let starts = 0;

/** Writes the config, starts the worker, and waits for its `listening` line. */
export async function startLoopbackWorker(options: WorkerOptions): Promise<LoopbackWorker> {
  const config = join(options.dir, 'worker-config.json');
  writeFileSync(config, JSON.stringify({
    logLevel: 'info',
    worker: {
      host: '127.0.0.1', port: 0, apiKey: options.apiKey, maxJobs: 1,
      mediaRoots: options.mediaRoots, transcodeRoots: options.transcodeRoots, ...options.extra,
    },
  }, null, 2), { mode: 0o600 });
  const logs: WorkerLogLine[] = [];
  let listening: (line: WorkerLogLine) => void = () => undefined;
  const listened = new Promise<WorkerLogLine>((resolve) => (listening = resolve));
  const child = startChild(options.node, [options.cliMain, 'worker', '--config', config], {
    env: { ...options.env, TMPDIR: options.dir },
    logFile: join(options.dir, `worker-${(starts += 1)}.log`),
    onLine: (text) => {
      let line: WorkerLogLine;
      try {
        line = JSON.parse(text) as WorkerLogLine;
      } catch {
        return;
      }
      logs.push(line);
      if (line.msg === 'listening') listening(line);
    },
  });
  options.onChild?.(child);
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    listened.then((line) => ({ line })),
    child.exited.then((exit) => ({ exit })),
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), options.timeoutMs ?? 60_000))),
  ]);
  clearTimeout(timer);
  if (outcome === 'timeout' || 'exit' in outcome) {
    await child.stop();
    const said = lastWords(logs, child.stderr());
    const how = outcome === 'timeout' ? 'did not start listening in time' : `exited ${outcome.exit.code ?? outcome.exit.signal} before listening`;
    throw new PlexBeamError('DEMO_FAILED', `the loopback worker ${how}${said === '' ? '' : `: ${said}`}`);
  }
  const probed = logs.find((line) => line.msg === 'hardware probed') ?? {};
  return {
    url: `http://127.0.0.1:${Number(outcome.line.port)}`,
    child,
    logs,
    hwaccel: typeof probed.hwaccel === 'string' ? probed.hwaccel : 'unknown',
    encoders: Array.isArray(probed.encoders) ? probed.encoders.map(String) : [],
    confinement: confinementOf(logs),
    stop: () => child.stop(),
  };
}

/** The worker's last error: its last warn/error log line, else stderr's last line. */
export function lastWords(logs: readonly WorkerLogLine[], stderr: string): string {
  const line = logs.findLast((l) => typeof l.level === 'number' && l.level >= 40);
  if (line !== undefined) {
    const err = line.err as { message?: string } | undefined;
    return [line.msg, err?.message].filter(Boolean).join(': ');
  }
  return stderr.trim().split('\n').at(-1)?.replace(/^plexbeam: /, '') ?? '';
}

function confinementOf(logs: readonly WorkerLogLine[]): string | null {
  const mode = (logs.find((line) => typeof line.confinement === 'object' && line.confinement !== null)?.confinement as { mode?: unknown } | undefined)?.mode;
  return typeof mode === 'string' ? mode : null;
}
