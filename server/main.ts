/** `plexbeam server`: the Plex-side daemon in the foreground until SIGTERM/SIGINT (systemd runs this). */
import type { Config } from '../core/config.ts';
import { EXIT_OK } from '../core/errors.ts';
import { createLogger } from '../core/log.ts';
import { createSystemdNotifier } from '../core/systemd-notify.ts';
import { createFleetMonitor } from './monitor.ts';

/** Runs the fleet monitor and resolves with the exit code after an orderly stop. */
export async function runServer(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const log = await createLogger({ name: 'server', config });
  const notifier = createSystemdNotifier(env);
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const monitor = createFleetMonitor({
    workers: config.workers,
    fleetFile: config.server.fleetFile,
    intervalMs: config.server.probeIntervalMs,
    timeoutMs: config.server.probeTimeoutMs,
    log,
    onStatus: (line) => void notifier.status(line),
  });
  await monitor.start();
  log.info({ fleetFile: config.server.fleetFile, workers: config.workers.length, intervalMs: config.server.probeIntervalMs }, 'fleet monitor running');
  await notifier.ready(monitor.statusLine());
  const heartbeat = notifier.heartbeatIntervalMs === null ? null : setInterval(() => void notifier.heartbeat(), notifier.heartbeatIntervalMs);

  const signal = await stopped;
  log.info({ signal }, 'stopping');
  await notifier.stopping();
  if (heartbeat !== null) clearInterval(heartbeat);
  await monitor.close();
  log.info('stopped');
  await new Promise<void>((resolve) => log.flush(() => resolve()));
  return EXIT_OK;
}
