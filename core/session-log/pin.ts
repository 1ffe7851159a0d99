/**
 * Keeps better-sqlite3's native objects from ever being garbage collected.
 *
 * Why: addons built against Node >= 24.19 headers abort the whole process (SIGABRT,
 * "RemoveEnvironmentCleanupHook ... (env) != nullptr") when V8 collects a node::ObjectWrap
 * (nodejs/node#65446). A Statement, StatementIterator or Database left for the GC is enough, at a
 * random moment. Pinned objects are instead freed by Node's own cleanup at exit, which is safe.
 * The cost is a few hundred bytes per statement: prepare once, never in a loop. Delete this file
 * once the runtime and the addon's headers are past the bug.
 */
import type Database from 'better-sqlite3';

const pinned = new Set<object>();

/** Keeps `value` reachable until the process exits, and returns it. */
export function pin<T extends object>(value: T): T {
  pinned.add(value);
  return value;
}

/** Pins `db` and makes its prepare(), pragma() and iterate() pin what they create. */
export function pinDatabase(db: Database.Database): Database.Database {
  pin(db);
  const prepare = db.prepare.bind(db);
  const pragmas = new Map<string, Database.Statement>();
  const pinnedPrepare = (source: string): Database.Statement => {
    const statement = pin(prepare(source));
    const iterate = statement.iterate.bind(statement);
    statement.iterate = (...params: unknown[]) => pin(iterate(...params));
    return statement;
  };
  db.prepare = pinnedPrepare as typeof db.prepare;
  // better-sqlite3's own pragma() prepares a new statement on every call: reuse one per text.
  db.pragma = ((source: string, options: Database.PragmaOptions = {}) => {
    let statement = pragmas.get(source);
    if (statement === undefined) {
      statement = pinnedPrepare(`PRAGMA ${source}`);
      pragmas.set(source, statement);
    }
    if (!statement.reader) {
      statement.run();
      return options.simple === true ? undefined : [];
    }
    return options.simple === true ? statement.pluck(true).get() : statement.pluck(false).all();
  }) as typeof db.pragma;
  return db;
}
