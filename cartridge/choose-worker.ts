/** Health-checks every configured worker at once and ranks those that can take a job. */
import { requestJson } from './http.ts';
import { canEncode } from '../core/codec-family.ts';
import { readHealth, type HealthBody } from '../core/wire/health.ts';
import type { RejectionCode } from './fallback-reason.ts';

export interface WorkerTarget {
  url: string;
  apiKey: string;
  name: string;
}

/** A worker's `GET /health` body (core/wire/health.ts). */
export type WorkerHealth = HealthBody;

export interface WorkerCandidate extends WorkerTarget {
  health: WorkerHealth;
  free: number;
}

export interface WorkerRejection {
  worker: string;
  reason: string;
  /** The same, as a code (the session log's fallback reason is drawn from these). */
  code: RejectionCode;
}

export interface WorkerChoice {
  /** Healthy workers able to take the job, most free capacity first. */
  candidates: WorkerCandidate[];
  /** Why each other worker was passed over. */
  rejected: WorkerRejection[];
}

export { canEncode };

/** One worker's health check: its status, or why it cannot be used. */
export type HealthResult = { worker: WorkerTarget; health: WorkerHealth } | { worker: WorkerTarget; reason: string };

/**
 * Asks every worker's `GET /health` in parallel, all bounded by one `timeoutMs`. Started before
 * the argv is parsed, so that the round trips overlap the parsing.
 */
export function checkWorkers(workers: readonly WorkerTarget[], timeoutMs: number): Promise<HealthResult[]> {
  const signal = AbortSignal.timeout(timeoutMs);
  return Promise.all(
    workers.map(async (worker): Promise<HealthResult> => {
      try {
        const res = await requestJson(new URL('/health', worker.url).href, { signal });
        if (res.status !== 200) return { worker, reason: `health check answered HTTP ${res.status}` };
        const { health, problem } = readHealth(res.body);
        if (health === undefined) return { worker, reason: `health check answer is not a PlexBeam worker status (${problem})` };
        return { worker, health };
      } catch (error) {
        const reason = signal.aborted ? `no answer within ${timeoutMs} ms` : `unreachable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
        return { worker, reason };
      }
    }),
  );
}

/** Keeps the healthy workers with free capacity that can encode `videoCodecOut`, best first. */
export function rankWorkers(results: readonly HealthResult[], videoCodecOut: string | null): WorkerChoice {
  const candidates: WorkerCandidate[] = [];
  const rejected: WorkerRejection[] = [];
  for (const result of results) {
    const label = result.worker.name || result.worker.url;
    if (!('health' in result)) {
      rejected.push({ worker: label, reason: result.reason, code: 'no-healthy-worker' });
      continue;
    }
    const free = result.health.jobs.max - result.health.jobs.running - result.health.jobs.queued;
    if (free <= 0) rejected.push({ worker: label, reason: `full (${result.health.jobs.running}/${result.health.jobs.max} jobs)`, code: 'workers-full' });
    else if (!canEncode(result.health.encoders, videoCodecOut)) rejected.push({ worker: label, reason: `cannot encode ${videoCodecOut}`, code: 'cannot-encode' });
    else candidates.push({ ...result.worker, health: result.health, free });
  }
  // Most free capacity first; between equals, a hardware encoder before software.
  const hardware = (c: WorkerCandidate) => (c.health.hwaccel === 'software' ? 0 : 1);
  candidates.sort((a, b) => b.free - a.free || hardware(b) - hardware(a));
  return { candidates, rejected };
}
