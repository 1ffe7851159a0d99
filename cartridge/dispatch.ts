/** Hands a job to the best worker: health checks, then `POST /transcode` to each candidate in turn. */
import { rankWorkers, type HealthResult, type WorkerCandidate, type WorkerRejection } from './choose-worker.ts';
import { requestJson } from './http.ts';
import type { TranscodeAccepted, TranscodeRequestBody } from '../core/wire/transcode.ts';

/** The body of `POST /transcode` (core/wire/transcode.ts; the worker validates it there). */
export type TranscodeRequest = TranscodeRequestBody;

/** A job a worker accepted (202). */
export interface AcceptedJob {
  worker: WorkerCandidate;
  jobId: string;
  /** When its `POST /transcode` was sent (ms since the epoch). */
  dispatchAt: number;
}

export interface DispatchOutcome {
  job: AcceptedJob | null;
  /** Every worker passed over or that refused, with why, in the order tried. */
  rejected: WorkerRejection[];
}

export interface DispatchOptions {
  /** The job's video encoder, so that only workers able to produce it are asked. */
  videoCodecOut: string | null;
  /** How long one `POST /transcode` may take (the worker answers at once: it validates and queues). */
  postTimeoutMs?: number;
  /** True once the cartridge was told to stop: no further worker is asked. */
  stopped(): boolean;
  /** The request for one worker (stream mode adds `storage`); default: `request` as given. */
  requestFor?(worker: WorkerCandidate): Promise<TranscodeRequest>;
}

/** A worker's answer to `POST /transcode` as a reason for passing it over. */
function refusal(status: number, body: unknown): string {
  const message = typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string' ? `: ${(body as { error: string }).error}` : '';
  const what = status === 503 ? 'full or stopping' : status === 403 ? 'refused the job' : status === 401 ? 'rejected the API key' : 'answered';
  return `${what} (HTTP ${status}${message})`;
}

/**
 * Given the health checks (checkWorkers), asks the healthy workers, most free capacity first, until one accepts (202). A refusal (503
 * full, 403 forbidden, any other answer) or a failed request passes on to the next. Nothing has
 * run anywhere when it returns no job.
 */
export async function dispatchJob(health: Promise<HealthResult[]>, request: TranscodeRequest, options: DispatchOptions): Promise<DispatchOutcome> {
  const { candidates, rejected } = rankWorkers(await health, options.videoCodecOut);
  for (const worker of candidates) {
    if (options.stopped()) break;
    const label = worker.name || worker.url;
    const dispatchAt = Date.now();
    try {
      const body = options.requestFor === undefined ? request : await options.requestFor(worker);
      const res = await requestJson(new URL('/transcode', worker.url).href, {
        method: 'POST',
        headers: worker.apiKey ? { 'x-api-key': worker.apiKey } : {},
        body,
        signal: AbortSignal.timeout(options.postTimeoutMs ?? 5000),
      });
      const jobId = (res.body as Partial<Record<keyof TranscodeAccepted, unknown>> | null)?.job_id;
      if (res.status === 202 && typeof jobId === 'string') return { job: { worker, jobId, dispatchAt }, rejected };
      // 503: full (or stopping) since its health check; anything else is a refusal.
      rejected.push({ worker: label, reason: refusal(res.status, res.body), code: res.status === 503 ? 'workers-full' : 'worker-refused' });
    } catch (error) {
      rejected.push({ worker: label, reason: `dispatch failed (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, code: 'dispatch-failed' });
    }
  }
  return { job: null, rejected };
}
