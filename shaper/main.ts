/** `plexbeam shaper run`: the shaper in the foreground until SIGTERM/SIGINT (systemd runs this). */
import type { Config } from '../core/config.ts';
import { EXIT_OK } from '../core/errors.ts';
import { createLogger } from '../core/log.ts';
import { createSystemdNotifier } from '../core/systemd-notify.ts';
import { createPlexLogSource } from './log-source.ts';
import { readPlexToken } from './plex-token.ts';
import { createReconciler } from './reconcile.ts';
import { createShaper } from './service.ts';
import { createPmsSessionsSource } from './sessions-source.ts';
import { readShaperSettings } from './settings.ts';
import { shaperStatusPath } from './status-file.ts';
import { createTcRunner } from './tc-runner.ts';

/**
 * Runs the shaper and resolves with the exit code after an orderly stop: the poll loop ends,
 * every rule it made is removed, the log is flushed.
 */
export async function runShaper(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const settings = readShaperSettings(config.shaper, { requireInterface: true });
  const log = await createLogger({ name: 'shaper', config });
  const notifier = createSystemdNotifier(env);
  const reconciler = createReconciler({ tc: createTcRunner(), device: settings.interface });
  const shaper = createShaper({
    settings,
    source: createPmsSessionsSource({ pmsUrl: settings.pmsUrl, token: () => readPlexToken(settings.preferencesPath) }),
    fallback: createPlexLogSource({ path: settings.logPath }),
    reconciler,
    log,
    statusPath: shaperStatusPath(config.dataDir),
    onStatus: (line) => void notifier.status(line),
  });
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log.info({ interface: settings.interface, ceilBits: settings.ceilBits, perClientBits: settings.perClientBits, graceMs: settings.graceMs }, 'starting');
  try {
    await shaper.start();
  } catch (error) {
    // Whatever the first reconcile got done is undone: a failed start leaves no rules behind.
    await reconciler.teardown().catch(() => {});
    await new Promise<void>((resolve) => log.flush(() => resolve()));
    throw error;
  }
  await notifier.ready(shaper.statusLine());
  const heartbeat = notifier.heartbeatIntervalMs === null ? null : setInterval(() => void notifier.heartbeat(), notifier.heartbeatIntervalMs);

  const signal = await stopped;
  log.info({ signal }, 'stopping');
  await notifier.stopping();
  if (heartbeat !== null) clearInterval(heartbeat);
  await shaper.close();
  log.info('stopped');
  await new Promise<void>((resolve) => log.flush(() => resolve()));
  return EXIT_OK;
}
