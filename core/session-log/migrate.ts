/** Brings a session log's schema up to date, once, even with many processes starting together. */
import type Database from 'better-sqlite3';
import { PlexBeamError } from '../errors.ts';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.ts';

/** The schema version stored in the file (`PRAGMA user_version`). */
export function readSchemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Throws when the file was written by a newer PlexBeam than this one. */
export function refuseNewerSchema(db: Database.Database, version = readSchemaVersion(db)): void {
  if (version > SCHEMA_VERSION) {
    throw new PlexBeamError(
      'SESSION_LOG',
      `schema version ${version} is newer than this plexbeam knows (${SCHEMA_VERSION}); upgrade plexbeam`,
    );
  }
}

/** Throws unless the file holds exactly the schema this code knows (read-only opens). */
export function requireCurrentSchema(db: Database.Database): void {
  const version = readSchemaVersion(db);
  refuseNewerSchema(db, version);
  if (version < SCHEMA_VERSION) {
    throw new PlexBeamError(
      'SESSION_LOG',
      `schema version ${version} is older than this plexbeam's (${SCHEMA_VERSION}); ` +
        'start the watchdog or play something once so a writer migrates it, then try again',
    );
  }
}

/**
 * Applies the migrations the file lacks, up to `target` (tests stop early to migrate step by
 * step). BEGIN IMMEDIATE takes the write lock before re-reading the version, so when fifty
 * processes open a fresh file together exactly one migrates and the rest find it done.
 */
export function migrateSessionLog(db: Database.Database, target = SCHEMA_VERSION): void {
  const before = readSchemaVersion(db);
  refuseNewerSchema(db, before);
  if (before >= target) return; // the common case: no write lock taken
  db.exec('BEGIN IMMEDIATE');
  try {
    const current = readSchemaVersion(db); // another process may have migrated meanwhile
    refuseNewerSchema(db, current);
    for (let version = current; version < target; version++) {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    }
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
