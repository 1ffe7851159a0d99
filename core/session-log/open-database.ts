/** Opens `sessions.db`: writers in WAL mode and migrated, readers read-only and never migrating. */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { PlexBeamError } from '../errors.ts';
import { retryOnBusy } from './busy-retry.ts';
import { describeError } from './failures.ts';
import { migrateSessionLog, requireCurrentSchema } from './migrate.ts';
import { pinDatabase } from './pin.ts';

/** How long a statement waits for another process's write lock before SQLITE_BUSY (ms). */
export const BUSY_TIMEOUT_MS = 5000;

/** Opens the database at `path` or throws PlexBeamError('SESSION_LOG') saying why. */
export function openDatabase(path: string, readonly: boolean): Database.Database {
  try {
    if (readonly && !existsSync(path)) throw new PlexBeamError('SESSION_LOG', 'no such file');
    if (!readonly) mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    return retryOnBusy(() => (readonly ? openReader(path) : openWriter(path)));
  } catch (error) {
    const hint = readonly && (error as { code?: unknown }).code === 'SQLITE_READONLY_DIRECTORY' ? `; ${READONLY_DIRECTORY_HINT}` : '';
    throw new PlexBeamError('SESSION_LOG', `cannot open session log ${path}: ${describeError(error)}${hint}`, { cause: error });
  }
}

// A WAL reader needs `<path>-shm`. While a writer (the watchdog) has the file open it exists;
// otherwise SQLite must create it, which a user who cannot write the folder cannot do.
const READONLY_DIRECTORY_HINT =
  'no PlexBeam writer has it open and this user cannot create its -shm file in that folder; ' +
  'run as the service user or root, or while the watchdog is running';

function openWriter(path: string): Database.Database {
  // `timeout` is SQLite's busy_timeout; it is set before anything else can meet a lock.
  const db = pinDatabase(new Database(path, { timeout: BUSY_TIMEOUT_MS }));
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') {
      throw new PlexBeamError('SESSION_LOG', `SQLite kept journal mode ${String(mode)} instead of WAL; keep dataDir on a local filesystem`);
    }
    // In WAL mode NORMAL is still crash-safe for the database; a power cut may lose the last commits.
    db.pragma('synchronous = NORMAL');
    migrateSessionLog(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function openReader(path: string): Database.Database {
  const db = pinDatabase(new Database(path, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS }));
  try {
    requireCurrentSchema(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
