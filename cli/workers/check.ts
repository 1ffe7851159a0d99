/** Talks to a worker before `workers add` records it and for `workers test`: says exactly what is wrong. */
import { readHealth, type HealthBody } from '../../core/wire/health.ts';
import { requestWorkerPinned as requestWorker } from '../../core/pinned-request.ts';
import { describeRequestError } from '../../core/wire/worker-request.ts';

/** The outcome: the health when usable, else the first problem found, in words. */
export type WorkerCheck = { ok: true; health: HealthBody; notes: string[] } | { ok: false; problem: string; health?: HealthBody };

/** Same major.minor: the wire contract is the same (a patch release never changes it). */
export function isCompatibleVersion(ours: string, theirs: string): boolean {
  const majorMinor = (v: string) => /^(\d+)\.(\d+)/.exec(v)?.slice(1, 3).join('.') ?? v;
  return ours === 'unknown' || majorMinor(ours) === majorMinor(theirs);
}

/** Checks reachability (and the pinned certificate), the status body, the key (an authenticated GET /metrics), encoders and version. */
export async function checkWorker(url: string, apiKey: string, ourVersion: string, timeoutMs = 3000, fingerprint = ''): Promise<WorkerCheck> {
  try {
    new URL(url);
  } catch {
    return { ok: false, problem: `${url} is not a URL (expected e.g. http://gpu-box:8765)` };
  }
  let reply;
  try {
    reply = await requestWorker(url, '/health', { timeoutMs, fingerprint });
  } catch (error) {
    return { ok: false, problem: `the worker at ${url} is unreachable: ${describeRequestError(error, timeoutMs)}` };
  }
  const reading = readHealth(reply.body);
  if (reading.health === undefined) {
    if (reply.status === 503) return { ok: false, problem: `the worker at ${url} is stopping (GET /health answered 503)` };
    return { ok: false, problem: `${url} does not answer like a PlexBeam worker (GET /health: HTTP ${reply.status}, ${reading.problem})` };
  }
  const health = reading.health;
  let keyReply;
  try {
    keyReply = await requestWorker(url, '/metrics', { timeoutMs, apiKey, fingerprint });
  } catch (error) {
    return { ok: false, health, problem: `the worker at ${url} answered /health but not /metrics: ${describeRequestError(error, timeoutMs)}` };
  }
  if (keyReply.status === 401) {
    return { ok: false, health, problem: apiKey === '' ? `the worker at ${url} needs an API key (401): pass --key with its worker.apiKey` : `the worker at ${url} refuses the key (401): --key must be its worker.apiKey` };
  }
  if (keyReply.status !== 200) return { ok: false, health, problem: `the worker at ${url} answered GET /metrics with HTTP ${keyReply.status}` };
  if (health.encoders.length === 0) return { ok: false, health, problem: `the worker at ${url} has no encoder (its probe found none that works: run plexbeam probe there)` };
  if (!isCompatibleVersion(ourVersion, health.version)) {
    return { ok: false, health, problem: `version mismatch: the worker at ${url} runs PlexBeam ${health.version}, this machine ${ourVersion} (update one of them)` };
  }
  const notes = (reply.body as { draining?: unknown }).draining === true ? ['the worker is draining (plexbeam worker resume there)'] : [];
  return { ok: true, health, notes };
}
