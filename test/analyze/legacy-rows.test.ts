// A log written before schema version 3 (no ended_by, no fallback codes) still reads right once
// migrated: the old rule (exit code and signal) decides its outcomes, its fallback words stand in
// for a code. The rows are inserted as the version-2 cartridge wrote them: there is no other
// producer of such rows any more.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { computeSummary } from '../../analyze/summary.ts';
import { sessionDetail } from '../../analyze/detail.ts';
import { openSessionLog } from '../../core/session-log/index.ts';
import { migrateSessionLog } from '../../core/session-log/migrate.ts';
import { pinDatabase } from '../../core/session-log/pin.ts';

t.test('rows from before ended_by: SIGTERM is a stop, exit 255 a failure, fallback words kept', async (t) => {
  const path = join(t.testdir(), 'sessions.db');
  const old = pinDatabase(new Database(path));
  migrateSessionLog(old, 2);
  const insert = old.prepare(`INSERT INTO sessions (id, started_at, argv, env_names, cwd, kind, decision, reason, worker, ended_at, exit_code, signal)
    VALUES (?, ?, '[]', '[]', '/tmp', 'video-transcode', ?, ?, ?, ?, ?, ?)`);
  insert.run('old-ok', 1000, 'remote', null, 'gpu', 2000, 0, null);
  insert.run('old-term', 1000, 'remote', null, 'gpu', 2000, null, 'SIGTERM');
  insert.run('old-255', 1000, 'remote', null, 'gpu', 2000, 255, null);
  insert.run('old-fallback', 1000, 'fallback', 'every worker is full (HTTP 503)', null, 2000, 0, null);
  old.close();

  const log = openSessionLog(path); // a writer: migrates to the current version
  t.teardown(() => log.close());
  t.equal(log.getSession('old-term')?.endedBy, null, 'migrated rows have no ended_by');
  const s = computeSummary(log.db, { dbPath: path, since: null });
  t.same(s.outcomes, { ok: 2, stopped: 1, failed: 1, worker_lost: 0, unfinished: 0, success_rate: 0.75, failure_rate: 0.25 });
  t.same(s.fallback_reasons, [{ code: null, text: 'every worker is full (HTTP 503)', count: 1, share: 1 }]);
  t.equal(sessionDetail(log.getSession('old-term')!).session.outcome, 'stopped');
  t.equal(sessionDetail(log.getSession('old-255')!).session.outcome, 'failed');
});
