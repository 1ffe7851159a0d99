/** The watchdog service: filesystem events and a cron re-check, each settled, then one check at a time. */
import cron, { type ScheduledTask } from 'node-cron';
import { cartridgePaths } from '../core/cartridge-paths.ts';
import type { CartridgeStep } from '../core/cartridge-install.ts';
import type { CartridgeStateName } from '../core/cartridge-state.ts';
import type { ShimOptions } from '../core/cartridge-shim.ts';
import { readPlexVersion } from '../core/cartridge-version.ts';
import { PlexBeamError, describeValue } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { EventRecorder } from './events.ts';
import { createRepairer, type CheckResult } from './repair.ts';
import { waitForSettle } from './settle.ts';
import { watchTranscoder, type TranscoderWatcher } from './watch.ts';

/** What the watchdog needs; main.ts builds these from the config. */
export interface WatchdogDeps {
  plexDir: string;
  /** Quiet time before acting on a change, in milliseconds. */
  settleMs: number;
  recheckCron: string;
  shim: ShimOptions;
  log: Logger;
  events: EventRecorder;
  readVersion?: (plexDir: string) => Promise<string | null>;
  beforeStep?: (step: CartridgeStep) => void | Promise<void>;
  /** Called with the one-line status whenever it changes (for systemd). */
  onStatus?: (line: string) => void;
  /** The watcher (tests replace it with one that sees nothing, to prove the re-check). */
  watch?: typeof watchTranscoder;
}

/** A running watchdog. */
export interface Watchdog {
  /** Starts watching and the re-check; the first check (an update while we were down) follows. */
  start(): Promise<void>;
  /** Ordered stop: cron, watcher, the check in flight, the session log. */
  close(): Promise<void>;
  statusLine(): string;
}

/** Creates the watchdog; throws CONFIG_INVALID for a bad `watchdog.recheckCron`. */
export function createWatchdog(deps: WatchdogDeps): Watchdog {
  if (!cron.validate(deps.recheckCron)) {
    throw new PlexBeamError('CONFIG_INVALID', `invalid config: \`watchdog.recheckCron\`: expected a cron expression (5 or 6 fields), got ${describeValue(deps.recheckCron)}`);
  }
  const { transcoder } = cartridgePaths(deps.plexDir);
  const log = deps.log;
  const check = createRepairer({ ...deps, readVersion: deps.readVersion ?? readPlexVersion });
  const stopping = new AbortController();
  let eventCount = 0;
  let pending: string | null = null;
  let loop: Promise<void> | null = null;
  let watcher: TranscoderWatcher | null = null;
  let task: ScheduledTask | null = null;
  let last: CheckResult | null = null;
  let status = `starting; watching ${transcoder}`;

  const request = (reason: string) => {
    pending ??= reason;
    loop ??= run().finally(() => (loop = null));
  };

  // One check at a time: settle first (events during the wait restart it), then check.
  async function run(): Promise<void> {
    while (pending !== null && !stopping.signal.aborted) {
      const reason = pending;
      try {
        await waitForSettle({ path: transcoder, settleMs: deps.settleMs, eventCount: () => eventCount, signal: stopping.signal });
      } catch (error) {
        if (stopping.signal.aborted) return;
        log.error({ err: error }, `cannot read ${transcoder}: ${(error as Error).message}`);
      }
      pending = null;
      last = await check(reason);
      if (last.retry) pending ??= 'retry';
      updateStatus();
    }
  }

  function updateStatus(): void {
    const target = watcher?.watching() ?? deps.plexDir;
    const where = target === deps.plexDir ? `watching ${transcoder}` : `waiting for ${deps.plexDir} (watching ${target})`;
    const line = `${where}; ${describeState(last?.state ?? null)}; Plex ${last?.plexVersion ?? 'version unknown'}`;
    if (line === status) return;
    status = line;
    deps.onStatus?.(line);
  }

  return {
    async start() {
      watcher = await (deps.watch ?? watchTranscoder)({
        plexDir: deps.plexDir,
        transcoder,
        onEvent: (event, path) => {
          eventCount += 1;
          log.debug({ event, path }, 'filesystem event');
          request(event === 'rearmed' ? 'start' : `fs:${event}`);
        },
        onError: (error) => log.error({ err: error }, `watcher error: ${error.message}`),
      });
      task = cron.schedule(deps.recheckCron, () => request('recheck'), { name: 'plexbeam-watchdog-recheck', noOverlap: true, logger: cronLogger(log) });
      log.info({ plexDir: deps.plexDir, settleMs: deps.settleMs, recheckCron: deps.recheckCron, watching: watcher.watching() }, `watching ${transcoder}`);
    },
    async close() {
      stopping.abort();
      await task?.destroy();
      await watcher?.close();
      await loop;
      deps.events.close();
    },
    statusLine: () => status,
  };
}

function describeState(state: CartridgeStateName | null): string {
  const words: Record<CartridgeStateName, string> = {
    installed: 'shim installed',
    'not-installed': 'cartridge NOT installed (run `plexbeam cartridge install`)',
    'plex-updated': 'Plex update found, repairing',
    'transcoder-missing': 'Plex Transcoder missing, waiting',
    'shim-without-real': "BROKEN: Plex's binary (Plex Transcoder.real) is missing",
    'real-is-shim': 'BROKEN: Plex Transcoder.real is a shim',
    'no-transcoder': 'no Plex Transcoder yet',
    'no-plex-dir': 'Plex folder missing',
  };
  return state === null ? 'state unknown (see the log)' : words[state];
}

/** node-cron's own logger prints coloured lines to the console; route it into pino instead. */
function cronLogger(log: Logger) {
  const child = log.child({ module: 'node-cron' });
  return {
    info: (message: string) => child.info(message),
    warn: (message: string) => child.warn(message),
    error: (message: string | Error, err?: Error) => child.error({ err: err ?? message }, String(message)),
    debug: (message: string | Error, err?: Error) => child.debug({ err }, String(message)),
  };
}
