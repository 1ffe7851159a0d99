import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const GARBAGE = fileURLToPath(new URL('./fixtures/garbage.ts', import.meta.url));

// Node >= 24.19 aborts when V8 collects a better-sqlite3 object (see core/session-log/pin.ts).
t.test('statements prepared through the raw db survive garbage collection', async (t) => {
  const result = spawnSync(process.execPath, [GARBAGE, join(t.testdir(), 'sessions.db')], { encoding: 'utf8' });
  t.equal(result.signal, null, result.stderr);
  t.equal(result.status, 0, result.stderr);
});
