import { join } from 'node:path';
import t from 'tap';
import { openSessionLog, type EventInput } from '../../../core/session-log/index.ts';

t.test('events round-trip in time order, with since and limit', async (t) => {
  const path = join(t.testdir(), 'sessions.db');
  const log = openSessionLog(path);
  t.teardown(() => log.close());
  const updated: EventInput = {
    at: 2000,
    source: 'watchdog',
    type: 'plex-updated',
    oldMd5: 'a'.repeat(32),
    newMd5: 'b'.repeat(32),
    plexVersion: '1.41.0.1',
    oldPlexVersion: '1.40.0.1',
    message: 'Plex update replaced the transcoder',
    details: { renamed: true },
  };
  const first = log.recordEvent({ at: 1000, source: 'install', type: 'shim-installed' });
  const second = log.recordEvent(updated);
  const third = log.recordEvent({ at: 2000, source: 'watchdog', type: 'shim-restored' });
  t.ok(first < second && second < third, 'ids grow');

  const all = log.listEvents();
  t.same(all.map((e) => e.id), [first, second, third]);
  t.same(all[0], { id: first, at: 1000, source: 'install', type: 'shim-installed', oldMd5: null, newMd5: null, plexVersion: null, oldPlexVersion: null, message: null, details: null });
  t.same(all[1], { id: second, ...updated });
  t.same(log.listEvents({ since: 2000 }).map((e) => e.id), [second, third]);
  t.same(log.listEvents({ limit: 2 }).map((e) => e.id), [second, third], 'limit keeps the newest, oldest first');
  t.same(log.listEvents({ since: 3000 }), []);

  const reader = openSessionLog(path, { readonly: true });
  t.teardown(() => reader.close());
  t.same(reader.listEvents(), all, 'analyze reads the same events');
});

t.test('recordEvent stamps the time when none is given', async (t) => {
  const log = openSessionLog(join(t.testdir(), 'sessions.db'));
  t.teardown(() => log.close());
  const before = Date.now();
  log.recordEvent({ source: 'watchdog', type: 'recheck' });
  const [event] = log.listEvents();
  t.ok(event !== undefined && event.at >= before && event.at <= Date.now());
});
