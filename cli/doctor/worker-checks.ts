/**
 * Checks one entry of `workers`: reachable (`GET /health`), key accepted and required (an
 * authenticated request, then one without the key), version compatible, hardware, and whether
 * the worker sees Plex's paths after its pathMap (`POST /paths/stat`, judged in paths-check.ts).
 */
import type { WorkerEntry } from '../../core/config.ts';
import { readHealth, type HealthBody } from '../../core/wire/health.ts';
import { fail, pass, type Check } from './check.ts';
import { checkPaths } from './paths-check.ts';
import type { SamplePath } from './plex-paths.ts';
import { requestWorkerPinned } from '../../core/pinned-request.ts';
import { isLoopbackHost } from '../../core/loopback.ts';
import { describeRequestError, excerpt, type WorkerReply } from './worker-client.ts';

export interface WorkerCheckOptions {
  /** This PlexBeam's version, which the worker's must be compatible with. */
  version: string;
  timeoutMs: number;
  samples: readonly SamplePath[];
}

const WORKER_KEY_HINT = "the worker's worker.apiKey (on the worker: sudo grep apiKey /etc/plexbeam/config.json)";

/** The label used in check names: the entry's `name`, else the URL's host:port. */
export function workerLabel(entry: WorkerEntry): string {
  if (entry.name !== '') return entry.name;
  try {
    return new URL(entry.url).host;
  } catch {
    return entry.url;
  }
}

/** Runs the checks for `workers[index]`; later checks are left out when an earlier one makes them moot. */
export async function checkWorker(entry: WorkerEntry, index: number, options: WorkerCheckOptions): Promise<Check[]> {
  const name = (aspect: string) => `worker.${workerLabel(entry)}.${aspect}`;
  const where = `workers[${index}]`;
  const ask = async (path: string, init: { method?: 'GET' | 'POST'; apiKey?: string; body?: unknown } = {}): Promise<WorkerReply | string> => {
    try {
      return await requestWorkerPinned(entry.url, path, { ...init, timeoutMs: options.timeoutMs, fingerprint: entry.fingerprint });
    } catch (error) {
      return describeRequestError(error, options.timeoutMs);
    }
  };

  const reply = await ask('/health');
  const reading = typeof reply === 'string' ? undefined : readHealth(reply.body);
  if (typeof reply === 'string' || reply.status !== 200 || reading?.health === undefined) {
    const why = typeof reply === 'string' ? reply : `GET /health answered HTTP ${reply.status}${reply.status === 503 ? ' (the worker is stopping)' : reply.status === 200 ? ` that is not a PlexBeam worker status (${reading?.problem})` : ''}: ${excerpt(reply.body)}`;
    return [
      fail(name('reachable'), `${entry.url} (${where}): ${why}`, `start the worker on that machine (sudo systemctl start plexbeam-worker; journalctl -u plexbeam-worker says why it stopped), and check ${where}.url and that its port is open from this machine`),
    ];
  }
  const health = reading.health;
  const checks: Check[] = [
    pass(name('reachable'), `${entry.url}: PlexBeam worker ${health.version}, ${health.jobs.running}/${health.jobs.max} jobs running, ${health.jobs.queued} queued`),
    checkTransport(name('tls'), entry, where),
    checkVersion(name('version'), health.version, options.version),
    checkHardware(name('hardware'), health),
  ];

  const paths = options.samples.map((sample) => sample.path);
  const withKey = await ask('/paths/stat', { method: 'POST', apiKey: entry.apiKey, body: { paths } });
  if (typeof withKey === 'string') {
    checks.push(fail(name('auth'), `POST /paths/stat failed: ${withKey}`, `check the worker's log (journalctl -u plexbeam-worker) and try again`));
    return checks;
  }
  if (withKey.status === 401) {
    const detail = entry.apiKey === '' ? `${where} has no apiKey and the worker requires one (HTTP 401)` : `the worker refused ${where}.apiKey (HTTP 401)`;
    checks.push(fail(name('auth'), detail, `set ${where}.apiKey in this machine's config to ${WORKER_KEY_HINT}`));
    return checks;
  }
  const withoutKey = await ask('/paths/stat', { method: 'POST', body: { paths: [] } });
  if (typeof withoutKey !== 'string' && withoutKey.status !== 401) {
    checks.push(fail(name('auth'), `the worker accepts requests without an API key (HTTP ${withoutKey.status}): anyone who reaches ${entry.url} can run ffmpeg there`, `set worker.apiKey on the worker (install.sh generates one), restart plexbeam-worker, and put the same key in ${where}.apiKey here`));
  } else {
    checks.push(pass(name('auth'), `the worker accepts ${where}.apiKey and refuses requests without it`));
  }
  checks.push(...storageChecks(name, where, entry.storage ?? 'auto', checkPaths(name('paths'), withKey, options.samples)));
  return checks;
}

/**
 * `workers[].storage`: whether this worker's jobs use shared storage or stream, and why. Plex's
 * paths must line up on the worker only for shared storage: with `"stream"`, or `"auto"` when the
 * worker does not see them (then jobs stream), the paths check says so and passes.
 */
function storageChecks(name: (what: string) => string, where: string, setting: 'auto' | 'shared' | 'stream', paths: Check): Check[] {
  if (setting === 'shared') return [paths, ...(paths.ok ? [pass(name('storage'), `shared: ${where}.storage is "shared"`)] : [])];
  if (paths.ok) {
    return [paths, pass(name('storage'), setting === 'stream' ? `streamed: ${where}.storage is "stream" (the worker also sees the Plex paths checked)` : 'shared: auto, and the worker sees the Plex paths checked')];
  }
  const why = setting === 'stream' ? `${where}.storage is "stream"` : 'auto, and the worker does not see every Plex path';
  return [
    pass(paths.name, `not needed, jobs stream (${why}): ${paths.detail}`),
    pass(name('storage'), `streamed: ${why}; the media and the segments go over PlexBeam's own connection (set ${where}.storage to "shared" to require a share)`),
  ];
}

/** How the connection is protected: pinned HTTPS, CA-verified HTTPS, loopback HTTP, or (a warning, not a failure: it keeps working) plain HTTP across the network. */
function checkTransport(name: string, entry: WorkerEntry, where: string): Check {
  const url = new URL(entry.url);
  if (url.protocol === 'https:') return pass(name, entry.fingerprint ? `HTTPS, certificate pinned (SHA-256 ${entry.fingerprint})` : 'HTTPS, certificate verified by a CA this machine trusts');
  if (isLoopbackHost(url.hostname)) return pass(name, 'plain HTTP on loopback (it never leaves this machine)');
  return pass(name, `warning: plain HTTP: ${where}.apiKey and every job cross the network unencrypted; give the worker worker.tlsCert and worker.tlsKey, then plexbeam workers remove ${workerLabel(entry)} and plexbeam workers add https://${url.host} (docs/SERVER.md)`);
}

/** Compatible: the same major version, and the same minor while the major is 0 (semver). */
export function isCompatibleVersion(theirs: string, ours: string): boolean {
  const parse = (version: string) => /^(\d+)\.(\d+)\.(\d+)/.exec(version)?.slice(1).map(Number);
  const a = parse(theirs);
  const b = parse(ours);
  if (a === undefined || b === undefined) return false;
  return a[0] === b[0] && (a[0] !== 0 || a[1] === b[1]);
}

function checkVersion(name: string, theirs: string, ours: string): Check {
  return isCompatibleVersion(theirs, ours)
    ? pass(name, `worker ${theirs}, this machine ${ours}: compatible`)
    : fail(name, `worker ${theirs}, this machine ${ours}: not compatible`, 'install the same PlexBeam release on both machines (git pull, then sudo ./install.sh on each)');
}

function checkHardware(name: string, health: HealthBody): Check {
  if (health.encoders.length === 0) {
    return fail(name, `hwaccel ${health.hwaccel} with no working encoder`, 'run `plexbeam probe` on the worker: it says why each encoder failed (drivers, /dev/dri, worker.hwaccel)');
  }
  const encoders = `${health.hwaccel} (${health.encoders.join(', ')})`;
  return pass(name, health.hwaccel === 'software' ? `${encoders}: no GPU encoder works there, jobs run on its CPU (plexbeam probe on the worker says why)` : encoders);
}
