/** `plexbeam server`: the Plex-side daemon in the foreground until SIGTERM/SIGINT (systemd runs this). */
import { statSync } from 'node:fs';
import { loadConfig, type Config, type WorkerEntry } from '../core/config.ts';
import { EXIT_OK } from '../core/errors.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { createSystemdNotifier } from '../core/systemd-notify.ts';
import { join } from 'node:path';
import type { FleetWorker } from '../core/fleet-cache.ts';
import { createLibraryScheduler } from '../library/scheduler.ts';
import { readLibraryStatus } from '../library/status.ts';
import type { FinishStep } from '../library/finish.ts';
import { createDashboard } from './dashboard.ts';
import { createFeasibilityFeed } from './feasibility-feed.ts';
import { createFleetMonitor } from './monitor.ts';
import { readSessionActivity } from './session-activity.ts';
import { buildStatusReport } from './status-report.ts';

/** Runs the fleet monitor and the dashboard, and resolves with the exit code after an orderly stop. */
export async function runServer(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const log = await createLogger({ name: 'server', config });
  const notifier = createSystemdNotifier(env);
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const dashboard = createDashboard({ listen: config.server.listen, password: config.server.password, log });
  const sessionLog = join(config.dataDir, 'sessions.db');
  // After each round: the dashboard's report, with the session log's live sessions (read-only).
  let publishing: Promise<void> = Promise.resolve();
  let followed: () => readonly WorkerEntry[] = () => config.workers;
  const readFeasibility = createFeasibilityFeed({ dbPath: sessionLog, config });
  const publish = (workers: FleetWorker[]) => {
    publishing = publishing.then(async () => {
      const activity = await readSessionActivity(sessionLog);
      const report = buildStatusReport({ source: 'server', fleetFile: config.server.fleetFile, ageMs: 0, workers }, activity, followed());
      // The library's totals and jobs, as `plexbeam status --json` has them (once something was scanned).
      const libraryStatus = readLibraryStatus(sessionLog);
      // analyze's feasibility summary (server/feasibility-feed.ts), recomputed once a minute.
      const feasibility = await readFeasibility(workers);
      dashboard.publish({ ...report, ...(libraryStatus === null ? {} : { library: libraryStatus }), ...(feasibility === null ? {} : { feasibility }) });
    }).catch((error: unknown) => log.warn({ err: error }, `cannot update the dashboard: ${(error as Error).message}`));
  };
  const workers = followConfigWorkers(config, log);
  followed = workers;
  // The library queue (docs/LIBRARY.md): after each probe round, with the fleet as just seen.
  const library = createLibraryScheduler({ dbPath: sessionLog, entries: workers, log, onStep: crashAt(env.PLEXBEAM_LIBRARY_CRASH_AT) });
  const monitor = createFleetMonitor({
    workers,
    fleetFile: config.server.fleetFile,
    intervalMs: config.server.probeIntervalMs,
    timeoutMs: config.server.probeTimeoutMs,
    log,
    onStatus: (line) => void notifier.status(line),
    onRound: (fleet) => {
      publish(fleet);
      void library.round(fleet);
    },
  });
  // The cache is what plays depend on: a dashboard that cannot listen is logged, not fatal.
  await dashboard.listen().then(
    (address) => log.info({ host: address.host, port: address.port }, `dashboard on http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}/`),
    (error: Error) => log.error({ err: error }, `${error.message}; the fleet cache runs without the dashboard`),
  );
  await monitor.start();
  log.info({ fleetFile: config.server.fleetFile, workers: workers().length, intervalMs: config.server.probeIntervalMs }, 'fleet monitor running');
  await notifier.ready(monitor.statusLine());
  const heartbeat = notifier.heartbeatIntervalMs === null ? null : setInterval(() => void notifier.heartbeat(), notifier.heartbeatIntervalMs);

  const signal = await stopped;
  log.info({ signal }, 'stopping');
  await notifier.stopping();
  if (heartbeat !== null) clearInterval(heartbeat);
  await monitor.close();
  await library.close();
  await publishing;
  await dashboard.close();
  log.info('stopped');
  await new Promise<void>((resolve) => log.flush(() => resolve()));
  return EXIT_OK;
}

/**
 * The test-only power cut: with `PLEXBEAM_LIBRARY_CRASH_AT=STEP` (a finishing step, e.g. `renamed`)
 * the server kills itself with SIGKILL right after that step, as a power cut would stop it, so a
 * test can check what the next start makes of it. Unset in production: no hook.
 */
function crashAt(step: string | undefined): ((reached: FinishStep) => void) | undefined {
  if (step === undefined || step === '') return undefined;
  return (reached) => {
    if (reached === step) process.kill(process.pid, 'SIGKILL');
  };
}

/**
 * The config's `workers`, re-read whenever the config file changes (`plexbeam workers add` and
 * `remove` take effect at the next round, no restart). A file that no longer loads keeps the
 * previous list, said once per change. Other keys need a restart.
 */
function followConfigWorkers(config: Config, log: Logger): () => readonly WorkerEntry[] {
  let current = config.workers;
  const path = config.source;
  if (path === null) return () => current;
  const stamp = () => {
    try {
      const s = statSync(path);
      return `${s.mtimeMs}:${s.size}:${s.ino}`;
    } catch {
      return 'gone';
    }
  };
  let seen = stamp();
  return () => {
    const now = stamp();
    if (now === seen) return current;
    seen = now;
    try {
      const next = loadConfig({ path, env: {} }).workers;
      log.info({ config: path, workers: next.length }, `${path} changed: ${next.length} worker${next.length === 1 ? '' : 's'} from now on`);
      current = next;
    } catch (error) {
      log.error({ err: error, config: path }, `${path} changed but does not load (${(error as Error).message}); keeping the ${current.length} workers it had`);
    }
    return current;
  };
}
