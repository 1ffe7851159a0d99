/** `plexbeam watchdog`: runs the watchdog in the foreground until SIGTERM/SIGINT (systemd runs this). */
import { existsSync } from 'node:fs';
import { defaultShimOptions } from '../core/cartridge-paths.ts';
import { sessionLogPath } from '../core/cartridge-events.ts';
import { CARTRIDGE_STEPS, type CartridgeStep } from '../core/cartridge-install.ts';
import type { Config } from '../core/config.ts';
import { EXIT_OK, PlexBeamError } from '../core/errors.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { openSessionLog } from '../core/session-log/index.ts';
import { createSystemdNotifier } from '../core/systemd-notify.ts';
import { createEventRecorder } from './events.ts';
import { createWatchdog } from './service.ts';

/** How long a stop waits for a check in flight before exiting anyway, in milliseconds (10 s). */
const STOP_GRACE_MS = 10_000;

/**
 * Runs the watchdog and resolves with the exit code after an orderly stop: stop cron, close the
 * watcher, let an in-flight repair finish, close the session log, flush the log.
 */
export async function runWatchdog(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const beforeStep = testPauseHook(env.PLEXBEAM_WATCHDOG_TEST_PAUSE_AT);
  const log = await createLogger({ name: 'watchdog', config });
  const notifier = createSystemdNotifier(env);
  const shim = defaultShimOptions();
  if (!existsSync(shim.cartridgeMain)) log.warn({ cartridgeMain: shim.cartridgeMain }, 'the shim runs a cartridge that is not built; Plex transcodes fail until it is');
  const watchdog = createWatchdog({
    plexDir: config.plexDir,
    settleMs: config.watchdog.settleMs,
    recheckCron: config.watchdog.recheckCron,
    shim,
    log,
    events: createEventRecorder(() => openSessionLog(sessionLogPath(config.dataDir)), log),
    beforeStep: beforeStep?.(log),
    onStatus: (line) => void notifier.status(line),
  });
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  await watchdog.start();
  await notifier.ready(watchdog.statusLine());
  const heartbeat = notifier.heartbeatIntervalMs === null ? null : setInterval(() => void notifier.heartbeat(), notifier.heartbeatIntervalMs);

  const signal = await stopped;
  log.info({ signal }, 'stopping');
  await notifier.stopping();
  if (heartbeat !== null) clearInterval(heartbeat);
  const closed = watchdog.close().then(() => true);
  const late = new Promise<false>((resolve) => setTimeout(() => resolve(false), STOP_GRACE_MS).unref());
  // Every step leaves a consistent state, so exiting with a check still stuck is safe.
  if (!(await Promise.race([closed, late]))) log.warn(`a check was still running after ${STOP_GRACE_MS} ms; exiting anyway`);
  log.info('stopped');
  await new Promise<void>((resolve) => log.flush(() => resolve()));
  return EXIT_OK;
}

/**
 * Test hook: PLEXBEAM_WATCHDOG_TEST_PAUSE_AT=<step> makes the watchdog stop for good just before
 * that step, logging `test pause` with the step, so a test can SIGKILL it there deterministically.
 */
function testPauseHook(step: string | undefined): ((log: Logger) => (step: CartridgeStep) => Promise<void>) | undefined {
  if (step === undefined || step === '') return undefined;
  if (!(CARTRIDGE_STEPS as readonly string[]).includes(step)) {
    throw new PlexBeamError('USAGE', `PLEXBEAM_WATCHDOG_TEST_PAUSE_AT: expected one of ${CARTRIDGE_STEPS.join(', ')}, got ${step}`);
  }
  return (log) => async (current) => {
    if (current !== step) return;
    log.warn({ step }, 'test pause');
    await new Promise(() => {});
  };
}
