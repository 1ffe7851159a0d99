/** Turns cartridge changes into session-log events (`plexbeam analyze --events` lists them). */
import { join } from 'node:path';
import type { CartridgeChange } from './cartridge-change.ts';
import { describeProblem, type CartridgeState } from './cartridge-state.ts';
import type { EventInput, EventSource, EventStore } from './session-log/index.ts';

/** The session log's file in `dataDir`. */
export function sessionLogPath(dataDir: string): string {
  return join(dataDir, 'sessions.db');
}

/** Who recorded an event and which Plex versions were known around it. */
export interface EventOrigin {
  source: EventSource;
  plexVersion: string | null;
  oldPlexVersion: string | null;
}

const TYPES = {
  installed: 'shim-installed',
  'adopted-update': 'plex-updated',
  'restored-shim': 'shim-restored',
  'refreshed-shim': 'shim-restored',
  'cleaned-up': 'update-completed',
  uninstalled: 'shim-uninstalled',
} as const;

/**
 * The event for a change, or null when nothing changed. For a Plex update, old/new md5 are the
 * old and new real binaries; otherwise they are `Plex Transcoder` before and after.
 */
export function changeEvent(change: CartridgeChange, origin: EventOrigin): EventInput | null {
  if (change.action === 'none') return null;
  const { before, after } = change;
  const update = change.action === 'adopted-update';
  return {
    source: origin.source,
    type: TYPES[change.action],
    oldMd5: update ? change.oldRealMd5 : (before.transcoder?.md5 ?? null),
    newMd5: update ? change.newRealMd5 : (after.transcoder?.md5 ?? null),
    plexVersion: origin.plexVersion,
    oldPlexVersion: origin.oldPlexVersion,
    message: change.message,
    details: {
      action: change.action,
      plexDir: before.paths.plexDir,
      stateBefore: before.name,
      stateAfter: after.name,
      steps: change.steps,
      transcoderMd5Before: before.transcoder?.md5 ?? null,
      transcoderMd5After: after.transcoder?.md5 ?? null,
      realMd5Before: change.oldRealMd5,
      realMd5After: change.newRealMd5,
    },
  };
}

/** The event for a broken state the watchdog found and will not touch. */
export function brokenStateEvent(state: CartridgeState, origin: EventOrigin): EventInput {
  const described = describeProblem(state);
  return {
    source: origin.source,
    type: 'cartridge-broken',
    oldMd5: state.real?.md5 ?? null,
    newMd5: state.transcoder?.md5 ?? null,
    plexVersion: origin.plexVersion,
    oldPlexVersion: origin.oldPlexVersion,
    message: described === null ? state.name : `${described.problem}; to fix: ${described.fix}`,
    details: { state: state.name, plexDir: state.paths.plexDir },
  };
}

/** The newest Plex version an earlier event recorded (what "old version" means after a restart). */
export function lastRecordedPlexVersion(events: EventStore): string | null {
  const recent = events.listEvents({ limit: 50 });
  for (let index = recent.length - 1; index >= 0; index -= 1) {
    const version = recent[index]?.plexVersion;
    if (version) return version;
  }
  return null;
}
