import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { isPlexBeamError } from '../../../core/errors.ts';
import { BUSY_TIMEOUT_MS, SCHEMA_VERSION, openSessionLog } from '../../../core/session-log/index.ts';

const start = { id: 'a', startedAt: 1, argv: [], envNames: [], cwd: '/', kind: 'unknown' } as const;

t.test('a writer creates the folder and file, in WAL mode with a busy timeout', async (t) => {
  const path = join(t.testdir(), 'new', 'dir', 'sessions.db');
  const log = openSessionLog(path);
  t.teardown(() => log.close());
  t.equal(statSync(join(path, '..')).mode & 0o777, 0o755 & ~process.umask());
  t.equal(log.db.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(log.db.pragma('synchronous', { simple: true }), 1, 'NORMAL');
  t.equal(log.db.pragma('busy_timeout', { simple: true }), BUSY_TIMEOUT_MS);
  t.equal(log.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  t.equal(log.readonly, false);
});

t.test('read-only open of a missing file is a clear SESSION_LOG error', async (t) => {
  const path = join(t.testdir(), 'missing.db');
  const error = t.throws(() => openSessionLog(path, { readonly: true }), { message: `cannot open session log ${path}: no such file` });
  t.ok(isPlexBeamError(error, 'SESSION_LOG'), 'a PlexBeamError with code SESSION_LOG');
  const dir = join(t.testdirName, 'no-such-dir', 'sessions.db');
  t.throws(() => openSessionLog(dir, { readonly: true }), { code: 'SESSION_LOG' });
});

t.test('read-only reads what writers wrote and refuses to write', async (t) => {
  const path = join(t.testdir(), 'sessions.db');
  const writer = openSessionLog(path);
  writer.recordSessionStart(start);
  const reader = openSessionLog(path, { readonly: true });
  t.teardown(() => (reader.close(), writer.close()));
  t.equal(reader.readonly, true);
  t.equal(reader.getSession('a')?.kind, 'unknown');
  t.throws(() => reader.recordSessionStart({ ...start, id: 'b' }), { code: 'SESSION_LOG', message: /readonly/ });
});

/** A session log that a newer PlexBeam has migrated further. */
function newerFile(path: string): string {
  const log = openSessionLog(path);
  log.db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
  log.close();
  return path;
}

t.test('read-only refuses a newer or older schema and never migrates', async (t) => {
  const dir = t.testdir();
  const newer = newerFile(join(dir, 'newer.db'));
  t.throws(() => openSessionLog(newer, { readonly: true }), {
    code: 'SESSION_LOG',
    message: new RegExp(`^cannot open session log ${newer}: schema version ${SCHEMA_VERSION + 1} is newer .*upgrade plexbeam`),
  });
  // An empty file is an SQLite database at user_version 0.
  const older = join(dir, 'older.db');
  writeFileSync(older, '');
  t.throws(() => openSessionLog(older, { readonly: true }), { code: 'SESSION_LOG', message: /schema version 0 is older/ });
  t.equal(statSync(older).size, 0, 'nothing created');
});

t.test('a writer refuses a newer schema instead of writing to it', async (t) => {
  const newer = newerFile(join(t.testdir(), 'newer.db'));
  t.throws(() => openSessionLog(newer), { code: 'SESSION_LOG', message: /is newer than this plexbeam knows/ });
});

t.test('a file that is not SQLite is a SESSION_LOG error naming the path', async (t) => {
  const dir = t.testdir({ 'junk.db': 'not a database, just text '.repeat(100) });
  const path = join(dir, 'junk.db');
  t.throws(() => openSessionLog(path), { code: 'SESSION_LOG', message: new RegExp(`^cannot open session log ${path}: .*SQLITE_NOTADB`) });
});

t.test('close is safe twice', async (t) => {
  const log = openSessionLog(join(t.testdir(), 'sessions.db'));
  log.close();
  log.close();
  t.equal(log.db.open, false);
});
