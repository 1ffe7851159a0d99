/** The watchdog's link to the session log: records events, and survives a log that cannot open yet. */
import type { Logger } from '../core/log.ts';
import { lastRecordedPlexVersion } from '../core/cartridge-events.ts';
import type { EventInput, SessionLog } from '../core/session-log/index.ts';

/** Where watchdog events go. */
export interface EventRecorder {
  record(event: EventInput): void;
  /** The Plex version of the newest recorded event, or null. */
  lastPlexVersion(): string | null;
  close(): void;
}

/**
 * Opens the session log lazily and again after a failure: the watchdog's job (keeping the
 * shim) must go on when `dataDir` is not writable yet; each failure is logged with the event
 * it lost, so nothing disappears silently.
 */
export function createEventRecorder(open: () => SessionLog, log: Logger): EventRecorder {
  let db: SessionLog | null = null;
  const get = (): SessionLog | null => {
    if (db !== null) return db;
    try {
      db = open();
    } catch (error) {
      log.error({ err: error }, `cannot open the session log: ${(error as Error).message}`);
    }
    return db;
  };
  return {
    record(event) {
      try {
        const target = get();
        if (target === null) throw new Error('session log unavailable');
        target.recordEvent(event);
      } catch (error) {
        log.error({ err: error, event }, `event not recorded: ${(error as Error).message}`);
      }
    },
    lastPlexVersion() {
      try {
        const target = get();
        return target === null ? null : lastRecordedPlexVersion(target);
      } catch {
        return null;
      }
    },
    close() {
      db?.close();
      db = null;
    },
  };
}
