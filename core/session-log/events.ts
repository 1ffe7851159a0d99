/** Writes and reads the `events` table (Plex updates, shim reinstalls, version changes). */
import type Database from 'better-sqlite3';
import { writing } from './failures.ts';
import type { EventInput, EventRow } from './types.ts';

/** Which events `listEvents` returns. */
export interface ListEventsOptions {
  /** Only events at or after this time (ms since the epoch). */
  since?: number;
  /** At most this many: the most recent ones. */
  limit?: number;
}

/** The event methods of a session log. */
export interface EventStore {
  /** Stores an event and returns its id. */
  recordEvent(event: EventInput): number;
  /** Events oldest first (`limit` keeps the newest). */
  listEvents(options?: ListEventsOptions): EventRow[];
}

const SELECT = `id, at, source, type, old_md5 AS oldMd5, new_md5 AS newMd5, plex_version AS plexVersion,
  old_plex_version AS oldPlexVersion, message, details`;

/** Creates the event methods over `db`, preparing their statements once. */
export function createEventStore(db: Database.Database): EventStore {
  const insert = db.prepare(`INSERT INTO events (at, source, type, old_md5, new_md5, plex_version, old_plex_version, message, details)
    VALUES (@at, @source, @type, @oldMd5, @newMd5, @plexVersion, @oldPlexVersion, @message, @details)`);
  // The newest `limit` rows, then put back in time order; LIMIT -1 means no limit in SQLite.
  const list = db.prepare<[number, number], EventRow & { details: string | null }>(
    `SELECT * FROM (SELECT ${SELECT} FROM events WHERE at >= ? ORDER BY at DESC, id DESC LIMIT ?) ORDER BY at, id`,
  );

  return {
    recordEvent(event) {
      const params = {
        at: event.at ?? Date.now(),
        source: event.source,
        type: event.type,
        oldMd5: event.oldMd5 ?? null,
        newMd5: event.newMd5 ?? null,
        plexVersion: event.plexVersion ?? null,
        oldPlexVersion: event.oldPlexVersion ?? null,
        message: event.message ?? null,
        details: event.details === undefined ? null : JSON.stringify(event.details),
      };
      return Number(writing(`record event ${event.type}`, () => insert.run(params)).lastInsertRowid);
    },

    listEvents(options = {}) {
      const rows = list.all(options.since ?? Number.MIN_SAFE_INTEGER, options.limit ?? -1);
      return rows.map((row) => ({ ...row, details: row.details === null ? null : JSON.parse(row.details) }));
    },
  };
}
