/** The session log (`sessions.db`): every cartridge invocation, watchdog events, worker capabilities. */
import type Database from 'better-sqlite3';
import { createEventStore, type EventStore } from './events.ts';
import { openDatabase } from './open-database.ts';
import { createSessionStore, type SessionStore } from './sessions.ts';
import { createWorkerCapabilityStore, type WorkerCapabilityStore } from './worker-capabilities.ts';

export type { ListEventsOptions, EventStore } from './events.ts';
export type { SessionStore } from './sessions.ts';
export type { WorkerCapabilityStore } from './worker-capabilities.ts';
export type * from './types.ts';
export { MIGRATIONS, SCHEMA_VERSION } from './migrations.ts';
export { BUSY_TIMEOUT_MS } from './open-database.ts';

/** How to open the session log. */
export interface OpenSessionLogOptions {
  /** Open an existing file read-only, never migrating (what `analyze` does). */
  readonly?: boolean;
}

/** An open session log; write methods throw PlexBeamError('SESSION_LOG') on failure. */
export interface SessionLog extends SessionStore, EventStore, WorkerCapabilityStore {
  /** The raw database, for analyze's SQL aggregation (columns are snake_case). */
  readonly db: Database.Database;
  readonly path: string;
  readonly readonly: boolean;
  /** Closes the database; safe to call twice. */
  close(): void;
}

/**
 * Opens (creating and migrating if needed) the session log at `path`. Writers use WAL, a busy
 * timeout and synchronous=NORMAL, so many cartridges can write at once. Throws
 * PlexBeamError('SESSION_LOG', 'cannot open session log <path>: …').
 */
export function openSessionLog(path: string, options: OpenSessionLogOptions = {}): SessionLog {
  const readonly = options.readonly === true;
  const db = openDatabase(path, readonly);
  return {
    db,
    path,
    readonly,
    ...createSessionStore(db),
    ...createEventStore(db),
    ...createWorkerCapabilityStore(db),
    close() {
      if (db.open) db.close();
    },
  };
}
