/** One probe of one worker: its `GET /health`, and its failed-job count from `GET /metrics`. */
import { requestWorkerPinned as requestWorker } from '../core/pinned-request.ts';
import { describeRequestError } from '../core/wire/worker-request.ts';
import { readHealth, type HealthBody } from '../core/wire/health.ts';

/** A worker as the server probes it (a `workers[]` entry). */
export interface ProbeTarget {
  name: string;
  url: string;
  apiKey: string;
  /** The DNS pool (its host name) this address came from. */
  pool?: string;
  /** Why it cannot be probed (a pool whose name does not resolve). */
  unresolved?: string;
  /** SHA-256 of its TLS certificate, pinned (https workers). */
  fingerprint?: string;
}

/** What one probe learnt: the health (or why there is none), draining, and the failed jobs so far. */
export type ProbeResult =
  | { health: HealthBody; draining: boolean; failedJobs: number | null; error?: undefined }
  | { health?: undefined; error: string };

/** Probes `target` within `timeoutMs`; never throws. */
export async function probeWorker(target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  if (target.unresolved !== undefined) return { error: target.unresolved };
  const signal = AbortSignal.timeout(timeoutMs);
  let reply;
  try {
    reply = await requestWorker(target.url, '/health', { timeoutMs, signal, fingerprint: target.fingerprint });
  } catch (error) {
    return { error: `unreachable: ${describeRequestError(error, timeoutMs)}` };
  }
  const reading = readHealth(reply.body);
  if (reading.health === undefined) {
    return { error: reply.status === 200 ? `not a PlexBeam worker status (${reading.problem})` : `GET /health answered HTTP ${reply.status}${reading.problem === 'the worker is stopping' ? ' (the worker is stopping)' : ''}` };
  }
  const draining = (reply.body as { draining?: unknown }).draining === true;
  // /metrics needs the key: a worker that refuses it would refuse every job too, so it counts as down.
  const failed = await failedJobs(target, timeoutMs, signal);
  if (failed === 'unauthorized') return { error: target.apiKey === '' ? 'needs an API key (401): set its apiKey' : 'refuses the key (401): its apiKey is not the worker\'s worker.apiKey' };
  return { health: reading.health, draining, failedJobs: failed };
}

/** `plexbeam_worker_jobs_ended_total{outcome="failed"}` from the worker's /metrics; null when it cannot be read. */
async function failedJobs(target: ProbeTarget, timeoutMs: number, signal: AbortSignal): Promise<number | null | 'unauthorized'> {
  try {
    const reply = await requestWorker(target.url, '/metrics', { timeoutMs, signal, apiKey: target.apiKey, fingerprint: target.fingerprint });
    if (reply.status === 401) return 'unauthorized';
    if (reply.status !== 200 || typeof reply.body !== 'string') return null;
    const match = /^plexbeam_worker_jobs_ended_total\{outcome="failed"\} (\d+)$/m.exec(reply.body);
    return match === null ? null : Number(match[1]);
  } catch {
    return null;
  }
}
