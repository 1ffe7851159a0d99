/**
 * `plexbeam worker drain | resume`: tells the worker on this machine to refuse new jobs and hand its
 * running segmented jobs back at their next segment (other jobs finish), or to take jobs again.
 */
import type { Config } from '../../core/config.ts';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { requestWorkerPinned as requestWorker } from '../../core/pinned-request.ts';
import { describeRequestError } from '../../core/wire/worker-request.ts';

/** The local worker's URL from `worker.host`/`worker.port` (a wildcard address is reached on loopback). */
export function localWorkerUrl(config: Config): string {
  const host = config.worker.host === '0.0.0.0' || config.worker.host === '' ? '127.0.0.1' : config.worker.host === '::' ? '[::1]' : config.worker.host.includes(':') ? `[${config.worker.host}]` : config.worker.host;
  return `${config.worker.tlsCert === '' ? 'http' : 'https'}://${host}:${config.worker.port}`;
}

/** The local worker's own certificate's fingerprint (it is this machine's file), or '' without TLS. */
function localFingerprint(config: Config): string {
  if (config.worker.tlsCert === '') return '';
  try {
    return new X509Certificate(readFileSync(config.worker.tlsCert)).fingerprint256;
  } catch {
    return '';
  }
}

/** POSTs /drain or /resume with the worker's key; exit 0 when it answered 200, else 1 saying why. */
export async function runWorkerAdmin(config: Config, action: 'drain' | 'resume'): Promise<number> {
  const url = localWorkerUrl(config);
  const timeoutMs = 5000;
  let reply;
  try {
    reply = await requestWorker(url, `/${action}`, { method: 'POST', apiKey: config.worker.apiKey, timeoutMs, fingerprint: localFingerprint(config) });
  } catch (error) {
    process.stderr.write(`plexbeam: the worker at ${url} is unreachable: ${describeRequestError(error, timeoutMs)}\n`);
    return 1;
  }
  if (reply.status === 401) {
    process.stderr.write(`plexbeam: the worker at ${url} refuses the key (401): worker.apiKey in ${config.source ?? 'the config'} is not the running worker's\n`);
    return 1;
  }
  const body = reply.body as { draining?: unknown; jobs?: { running?: number; queued?: number } };
  if (reply.status !== 200 || typeof body?.draining !== 'boolean') {
    process.stderr.write(`plexbeam: the worker at ${url} answered POST /${action} with HTTP ${reply.status} (an older worker without drain?)\n`);
    return 1;
  }
  const running = body.jobs?.running ?? 0;
  // Older workers do not say how many they hand back (their running jobs all finish).
  const handingBack = typeof (body as { handing_back?: unknown }).handing_back === 'number' ? (body as { handing_back: number }).handing_back : 0;
  const finishing = Math.max(0, running - handingBack);
  process.stdout.write(action === 'drain'
    ? `draining ${url}: new jobs are refused; ${finishing} running job${finishing === 1 ? '' : 's'} will finish, ${handingBack} segmented job${handingBack === 1 ? '' : 's'} handed back at the next segment (plexbeam worker resume to take jobs again)\n`
    : `${url} takes new jobs again\n`);
  return 0;
}
