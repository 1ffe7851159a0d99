/** One watchdog check: repair the cartridge if Plex changed it, record the event, say what was found. */
import { brokenStateEvent, changeEvent } from '../core/cartridge-events.ts';
import { repairCartridge, type CartridgeStep } from '../core/cartridge-install.ts';
import { inspectCartridge, type CartridgeStateName } from '../core/cartridge-state.ts';
import type { ShimOptions } from '../core/cartridge-shim.ts';
import { isPlexBeamError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { EventRecorder } from './events.ts';

/** What a check found. */
export interface CheckResult {
  /** The state after the check (null: could not be read). */
  state: CartridgeStateName | null;
  /** The transcoder changed while we worked: settle and check again. */
  retry: boolean;
  plexVersion: string | null;
}

/** What a repairer needs. */
export interface RepairerDeps {
  plexDir: string;
  shim: ShimOptions;
  log: Logger;
  events: EventRecorder;
  readVersion: (plexDir: string) => Promise<string | null>;
  beforeStep?: (step: CartridgeStep) => void | Promise<void>;
}

/** Creates the check function; it remembers the last Plex version and the last problem reported. */
export function createRepairer(deps: RepairerDeps): (reason: string) => Promise<CheckResult> {
  const { plexDir, log } = deps;
  let plexVersion: string | null = null;
  let knownOld = deps.events.lastPlexVersion();
  // Problems are logged and recorded once per distinct state, not on every re-check.
  let lastProblem: string | null = null;

  const reportOnce = (key: string, report: () => void) => {
    if (key !== lastProblem) report();
    lastProblem = key;
  };

  return async function check(reason) {
    try {
      const change = await repairCartridge({ plexDir, shim: deps.shim, beforeStep: deps.beforeStep });
      const state = change.after.name;
      if (change.action !== 'none') {
        lastProblem = null;
        plexVersion = await deps.readVersion(plexDir);
        const event = changeEvent(change, { source: 'watchdog', plexVersion, oldPlexVersion: knownOld });
        if (event !== null) deps.events.record(event);
        const fields = { reason, action: change.action, steps: change.steps, oldMd5: event?.oldMd5, newMd5: event?.newMd5, plexVersion, oldPlexVersion: knownOld };
        log.info(fields, change.message);
        knownOld = plexVersion ?? knownOld;
      } else if (change.retry) {
        log.info({ reason, state }, change.message);
      } else if (state === 'not-installed') {
        reportOnce(state, () => log.warn({ reason, state }, `${change.message}; the watchdog keeps an installed cartridge installed, it does not install one`));
      } else {
        lastProblem = null;
        log.debug({ reason, state }, change.message);
      }
      if (plexVersion === null && state === 'installed') plexVersion = await deps.readVersion(plexDir);
      if (plexVersion !== null && knownOld === null) knownOld = plexVersion;
      return { state, retry: change.retry, plexVersion };
    } catch (error) {
      return reportFailure(error, reason);
    }
  };

  async function reportFailure(error: unknown, reason: string): Promise<CheckResult> {
    const message = (error as Error).message;
    if (!isPlexBeamError(error) || !['CARTRIDGE_BROKEN', 'TRANSCODER_MISSING', 'PLEX_DIR_MISSING'].includes(error.code)) {
      // IO, permissions, a busy lock: nothing was left half-done (every step is crash-safe). The
      // next event or re-check tries again; retrying at once would only repeat the error.
      log.error({ reason, err: error }, `check failed: ${message}`);
      return { state: null, retry: false, plexVersion };
    }
    const state = await inspectCartridge(plexDir, deps.shim).catch(() => null);
    const name = state?.name ?? null;
    const key = `${name}:${state?.transcoder?.md5}:${state?.real?.md5}`;
    reportOnce(key, () => {
      if (error.code === 'CARTRIDGE_BROKEN') {
        log.error({ reason, state: name, code: error.code }, `${message}; the watchdog will not touch these files`);
        if (state !== null) deps.events.record(brokenStateEvent(state, { source: 'watchdog', plexVersion, oldPlexVersion: knownOld }));
      } else {
        log.warn({ reason, state: name, code: error.code }, `${message}; waiting for it to appear`);
      }
    });
    return { state: name, retry: false, plexVersion };
  }
}
