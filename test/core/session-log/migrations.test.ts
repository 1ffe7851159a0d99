import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import t from 'tap';
import { MIGRATIONS, SCHEMA_VERSION, openSessionLog } from '../../../core/session-log/index.ts';
import { migrateSessionLog } from '../../../core/session-log/migrate.ts';
import { pinDatabase } from '../../../core/session-log/pin.ts';

// Each migration as it shipped, copied out of git history (the first lines of each file say
// from which commit). A file at version N is built from these, not from today's MIGRATIONS, so
// an edit to a shipped migration shows up as a difference from a fresh file.
const SHIPPED_DIR = fileURLToPath(new URL('fixtures/shipped-migrations/', import.meta.url));
const SHIPPED: string[] = readdirSync(SHIPPED_DIR)
  .filter((name) => /^\d{3}\.sql$/.test(name))
  .sort()
  .map((name, i) => {
    if (name !== `${String(i + 1).padStart(3, '0')}.sql`) throw new Error(`shipped migrations skip a number at ${name}`);
    return readFileSync(join(SHIPPED_DIR, name), 'utf8');
  });

type Db = Database.Database;

/** Every schema object (type, name, table, SQL with whitespace collapsed), in a stable order. */
function schemaOf(db: Db): unknown[] {
  const rows = db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all() as { sql: string | null }[];
  return rows.map((row) => ({ ...row, sql: row.sql?.replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')') ?? null }));
}

/** What SQLite itself reports of each table's columns and each index's keys. */
function structureOf(db: Db): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const objects = db.prepare("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").all() as { type: string; name: string }[];
  for (const { type, name } of objects) {
    out[`${type} ${name}`] = type === 'table' ? db.pragma(`table_xinfo(${JSON.stringify(name)})`) : db.pragma(`index_xinfo(${JSON.stringify(name)})`);
  }
  return out;
}

/** A file at `version`, built by running the shipped SQL of migrations 1..version. */
function shippedFile(path: string, version: number): void {
  const db = pinDatabase(new Database(path));
  for (let v = 1; v <= version; v++) {
    db.exec(SHIPPED[v - 1] as string);
    db.pragma(`user_version = ${v}`);
  }
  // A row written by that release (columns every version has), to see it survive.
  db.prepare("INSERT INTO sessions (id, started_at, argv, env_names, cwd, kind, decision, exit_code, ended_at) VALUES (?, 1700000000000, '[\"-i\",\"x.mkv\"]', '[]', '/tmp', 'video', 'remote', 0, 1700000060000)").run(`from-v${version}`);
  db.prepare("INSERT INTO events (at, source, type, message) VALUES (1700000000000, 'watchdog', 'test', ?)").run(`from-v${version}`);
  db.close();
}

t.test('every past version has its shipped SQL frozen here', async (t) => {
  // Migration SCHEMA_VERSION may still change before it ships; every earlier one has shipped.
  t.ok(SHIPPED.length >= SCHEMA_VERSION - 1, `freeze migration ${SHIPPED.length + 1} as fixtures/shipped-migrations/${String(SHIPPED.length + 1).padStart(3, '0')}.sql (git show <release>:core/session-log/migrations.ts)`);
  t.ok(SHIPPED.length <= SCHEMA_VERSION, 'no frozen migration the code lacks');
});

t.test('shipped migrations are never edited, only appended to', async (t) => {
  const sqlOnly = (text: string) => text.replace(/^--.*$/gm, '').replace(/\s+/g, ' ').trim();
  SHIPPED.forEach((sql, i) => t.equal(sqlOnly(MIGRATIONS[i] ?? ''), sqlOnly(sql), `migration ${i + 1} is as shipped`));
});

t.test('a file from each past version, migrated, has the schema of a fresh file', async (t) => {
  const dir = t.testdir();
  const fresh = openSessionLog(join(dir, 'fresh.db'));
  t.teardown(() => fresh.close());
  const expected = { schema: schemaOf(fresh.db), structure: structureOf(fresh.db) };
  t.ok(SHIPPED.length > 0);

  for (let from = 1; from <= Math.min(SHIPPED.length, SCHEMA_VERSION - 1); from++) {
    const path = join(dir, `v${from}.db`);
    shippedFile(path, from);
    const log = openSessionLog(path); // what the next release's first writer does
    t.teardown(() => log.close());
    t.equal(log.db.pragma('user_version', { simple: true }), SCHEMA_VERSION, `v${from} → v${SCHEMA_VERSION}`);
    t.strictSame(schemaOf(log.db), expected.schema, `from v${from}: sqlite_master equals a fresh file's`);
    t.strictSame(structureOf(log.db), expected.structure, `from v${from}: columns and index keys equal a fresh file's`);
    const row = log.getSession(`from-v${from}`);
    t.match(row, { id: `from-v${from}`, decision: 'remote', exitCode: 0 }, `from v${from}: the old session row is still read`);
    t.ok(log.listEvents({}).some((e) => e.message === `from-v${from}`), `from v${from}: the old event is still read`);
  }
});

t.test('a file migrated one release at a time ends as a fresh one', async (t) => {
  const dir = t.testdir();
  const fresh = openSessionLog(join(dir, 'fresh.db'));
  t.teardown(() => fresh.close());
  const path = join(dir, 'stepped.db');
  shippedFile(path, 1);
  for (let step = 2; step <= SCHEMA_VERSION; step++) {
    const db = pinDatabase(new Database(path));
    migrateSessionLog(db, step);
    t.equal(db.pragma('user_version', { simple: true }), step);
    db.close();
  }
  const log = openSessionLog(path);
  t.teardown(() => log.close());
  t.strictSame(schemaOf(log.db), schemaOf(fresh.db));
  t.strictSame(structureOf(log.db), structureOf(fresh.db));
});

t.test('the schema has the tables and indexes analyze relies on', async (t) => {
  const log = openSessionLog(join(t.testdir(), 'sessions.db'));
  t.teardown(() => log.close());
  const names = (schemaOf(log.db) as { name: string }[]).map((o) => o.name);
  for (const name of ['sessions', 'events', 'worker_capabilities', 'sessions_started_at', 'sessions_decision', 'sessions_pattern_id', 'sessions_kind', 'events_at']) {
    t.ok(names.includes(name), name);
  }
  t.equal(SCHEMA_VERSION, MIGRATIONS.length);
});

t.test('opening an up-to-date file changes nothing', async (t) => {
  const path = join(t.testdir(), 'sessions.db');
  const first = openSessionLog(path);
  const before = schemaOf(first.db);
  first.close();
  const second = openSessionLog(path);
  t.teardown(() => second.close());
  t.strictSame(schemaOf(second.db), before);
  migrateSessionLog(second.db);
  t.strictSame(schemaOf(second.db), before);
});
