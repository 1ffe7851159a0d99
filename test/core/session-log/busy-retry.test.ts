import t from 'tap';
import { isBusyError, retryOnBusy } from '../../../core/session-log/busy-retry.ts';

function sqliteError(code: string): Error {
  return Object.assign(new Error(code === 'SQLITE_BUSY' ? 'database is locked' : 'other'), { code });
}

t.test('SQLITE_BUSY is retried until the work succeeds', async (t) => {
  let calls = 0;
  const result = retryOnBusy(() => {
    calls++;
    if (calls < 3) throw sqliteError('SQLITE_BUSY');
    return 'done';
  });
  t.equal(result, 'done');
  t.equal(calls, 3);
});

t.test('other errors are not retried; BUSY past the budget is thrown', async (t) => {
  let calls = 0;
  const corrupt = () => {
    calls++;
    throw sqliteError('SQLITE_CORRUPT');
  };
  t.throws(() => retryOnBusy(corrupt), { code: 'SQLITE_CORRUPT' });
  t.equal(calls, 1);
  const busy = () => {
    throw sqliteError('SQLITE_BUSY');
  };
  t.throws(() => retryOnBusy(busy, 30), { code: 'SQLITE_BUSY' }, 'a 30 ms budget runs out');
});

t.test('isBusyError knows the extended busy codes', async (t) => {
  t.ok(isBusyError(sqliteError('SQLITE_BUSY_SNAPSHOT')));
  t.ok(isBusyError(sqliteError('SQLITE_BUSY_RECOVERY')));
  t.notOk(isBusyError(sqliteError('SQLITE_LOCKED')));
  t.notOk(isBusyError(null));
});
