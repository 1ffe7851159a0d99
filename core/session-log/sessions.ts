/** Writes and reads the `sessions` table: one row per cartridge invocation. */
import type Database from 'better-sqlite3';
import { PlexBeamError, describeValue } from '../errors.ts';
import { writing } from './failures.ts';
import { PATCH_COLUMNS, SESSION_COLUMNS, SESSION_SELECT, fromSqlRow, toInsertParams, toSqlValue } from './session-columns.ts';
import type { SessionPatch, SessionRow, SessionStart } from './types.ts';

/** The session methods of a session log. */
export interface SessionStore {
  /** Inserts the row for a new invocation; throws SESSION_LOG if `id` exists already. */
  recordSessionStart(start: SessionStart): void;
  /** Sets the given fields of session `id`; true when that session exists. */
  updateSession(id: string, patch: SessionPatch): boolean;
  /** The stored session, or undefined. */
  getSession(id: string): SessionRow | undefined;
}

const ALLOWED = new Map<string, string>(Object.entries(PATCH_COLUMNS));

/** Creates the session methods over `db`, preparing their statements once. */
export function createSessionStore(db: Database.Database): SessionStore {
  const columns = Object.values(SESSION_COLUMNS);
  const insert = db.prepare(`INSERT INTO sessions (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`);
  const select = db.prepare<[string], Record<string, unknown>>(`SELECT ${SESSION_SELECT} FROM sessions WHERE id = ?`);
  // One UPDATE per set of patched fields, built from the allow-list and kept for reuse.
  const updates = new Map<string, Database.Statement>();

  function updateStatement(columnList: string[]): Database.Statement {
    const key = columnList.join(',');
    let statement = updates.get(key);
    if (statement === undefined) {
      statement = db.prepare(`UPDATE sessions SET ${columnList.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`);
      updates.set(key, statement);
    }
    return statement;
  }

  return {
    recordSessionStart(start) {
      writing(`record session ${start.id}`, () => insert.run(toInsertParams(start)));
    },

    updateSession(id, patch) {
      const params: Record<string, unknown> = { id };
      for (const [field, value] of Object.entries(patch)) {
        const column = ALLOWED.get(field);
        if (column === undefined) {
          throw new PlexBeamError('SESSION_LOG', `cannot update session ${id}: unknown field ${describeValue(field)}; expected one of ${[...ALLOWED.keys()].join(', ')}`);
        }
        if (value !== undefined) params[column] = toSqlValue(field, value);
      }
      const columnList = Object.keys(params).filter((c) => c !== 'id').sort();
      if (columnList.length === 0) return select.get(id) !== undefined;
      return writing(`update session ${id}`, () => updateStatement(columnList).run(params).changes > 0);
    },

    getSession(id) {
      const raw = select.get(id);
      return raw === undefined ? undefined : fromSqlRow(raw);
    },
  };
}
