import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { MIGRATIONS, SCHEMA_VERSION, openSessionLog, type SessionLog } from '../../../core/session-log/index.ts';
import { migrateSessionLog } from '../../../core/session-log/migrate.ts';
import { pinDatabase } from '../../../core/session-log/pin.ts';

/** Every schema object's type, name and SQL, in a stable order. */
function schemaOf(log: SessionLog): unknown[] {
  return log.db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all();
}

t.test('the schema has the tables and indexes analyze relies on', async (t) => {
  const log = openSessionLog(join(t.testdir(), 'sessions.db'));
  t.teardown(() => log.close());
  const names = (schemaOf(log) as { name: string }[]).map((o) => o.name);
  for (const name of ['sessions', 'events', 'worker_capabilities', 'sessions_started_at', 'sessions_decision', 'sessions_pattern_id', 'sessions_kind', 'events_at']) {
    t.ok(names.includes(name), name);
  }
  t.equal(SCHEMA_VERSION, MIGRATIONS.length);
});

t.test('a fresh schema equals one migrated step by step, one open per step', async (t) => {
  const dir = t.testdir();
  const fresh = openSessionLog(join(dir, 'fresh.db'));
  t.teardown(() => fresh.close());
  const expected = schemaOf(fresh);

  // Bring a file to each older version one migration per open (as successive releases would),
  // then let a normal open finish the job.
  for (let from = 0; from < SCHEMA_VERSION; from++) {
    const path = join(dir, `from-${from}.db`);
    for (let step = 1; step <= from; step++) {
      const db = pinDatabase(new Database(path));
      migrateSessionLog(db, step);
      t.equal(db.pragma('user_version', { simple: true }), step);
      db.close();
    }
    const reopened = openSessionLog(path);
    t.teardown(() => reopened.close());
    t.equal(reopened.db.pragma('user_version', { simple: true }), SCHEMA_VERSION, `from ${from}`);
    t.same(schemaOf(reopened), expected, `from version ${from}: same schema as a fresh file`);
  }
});

t.test('opening an up-to-date file changes nothing', async (t) => {
  const path = join(t.testdir(), 'sessions.db');
  const first = openSessionLog(path);
  const before = schemaOf(first);
  first.close();
  const second = openSessionLog(path);
  t.teardown(() => second.close());
  t.same(schemaOf(second), before);
  migrateSessionLog(second.db);
  t.same(schemaOf(second), before);
});
