// The dashboard's feasibility summary (server/feasibility-feed.ts) over a session log written by
// the session log's own writer, with the fleet as the server's probe of a real worker (up) and
// a closed port (down) records it: the numbers analyze would give, recomputed only once a minute.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { capabilitiesFromFleet } from '../../core/feasibility/capabilities.ts';
import { openSessionLog } from '../../core/session-log/index.ts';
import { loadConfig } from '../../core/config.ts';
import { createFeasibilityFeed } from '../../server/feasibility-feed.ts';
import { nextWorkerState } from '../../server/fleet-state.ts';
import { probeWorker } from '../../server/probe.ts';
import { API_KEY } from '../cartridge/helpers.ts';
import { startRealWorker } from '../cartridge/workers.ts';

const dir = t.testdir({ media: {}, tx: {} });
const worker = await startRealWorker(dir, { mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')] });
t.teardown(() => worker.stop());
const closed = createServer();
await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
await new Promise((resolve) => closed.close(resolve));

const now = Date.now();
const targets = [{ name: 'gpu', url: worker.url, apiKey: API_KEY }, { name: 'old-gpu', url: deadUrl, apiKey: '' }, { name: 'never', url: 'http://127.0.0.1:9', apiKey: '' }];
const probed = await Promise.all(targets.map((target) => probeWorker(target, 2000)));
const fleet = targets.map((target, i) => nextWorkerState(target, undefined, probed[i]!, now, new Map()));
const upHealth = probed[0]!.health;

const dbPath = join(dir, 'sessions.db');
writeFileSync(join(dir, 'config.json'), '{}');
const config = loadConfig({ path: join(dir, 'config.json'), env: {} });

t.test('no session log yet: nothing to show', async (t) => {
  t.equal(await createFeasibilityFeed({ dbPath, config })(fleet), null);
});

t.test('capabilities from the fleet: live when up, last known or nothing when down, stored ones no longer configured', async (t) => {
  const log = openSessionLog(dbPath);
  log.saveWorkerCapabilities(deadUrl, upHealth, now - 3_600_000);
  log.saveWorkerCapabilities('retired-box', { ...upHealth, hwaccel: 'vaapi' }, now - 7_200_000);
  const stored = log.listWorkerCapabilities();
  log.close();
  const caps = capabilitiesFromFleet(fleet, stored);
  t.match(caps, [
    { worker: 'gpu', url: worker.url, configured: true, source: 'live', hwaccel: 'software', error: null },
    { worker: 'old-gpu', configured: true, source: 'last-known', seen_at: new Date(now - 3_600_000).toISOString(), error: /^unreachable: connection refused/ },
    { worker: 'never', configured: true, source: 'none', hwaccel: null, encoders: [], error: /^unreachable/ },
    { worker: 'retired-box', url: null, configured: false, source: 'last-known', hwaccel: 'vaapi' },
  ]);
  t.ok(caps[0]!.encoders.includes('libx264'), 'the live encoders');
  t.match(await createFeasibilityFeed({ dbPath, config })(fleet), { total: 0, blocked_share: 0, headline: { blocked: '0.0% (0 ms): 0 sessions, for the reasons below' } }, 'no session yet: nothing to judge');
});

t.test('the summary: remote, movable and blocked time; recomputed only after everyMs', async (t) => {
  const log = openSessionLog(dbPath);
  const play = (id: string, decision: 'remote' | 'local', seconds: number, extra: Record<string, unknown> = {}) => log.recordSessionStart({
    id, startedAt: now - 600_000, argv: ['-i', join(dir, 'media', 'in.mkv')], envNames: [], cwd: join(dir, 'tx'), kind: 'video-transcode', decision,
    videoCodecIn: 'h264', videoCodecOut: 'libx264', endedAt: now - 600_000 + seconds * 1000, exitCode: 0, ...extra,
  });
  play('00000000-0000-4000-8000-00000000000a', 'remote', 60, { worker: 'gpu' });
  play('00000000-0000-4000-8000-00000000000b', 'local', 30);
  log.close();
  let clock = now;
  const read = createFeasibilityFeed({ dbPath, config, everyMs: 60_000, now: () => clock });
  const first = await read(fleet);
  t.match(first, { total: 2, transcode_s: 90, remote_share: 0.6667, computed_at: new Date(now).toISOString(), headline: { remote: '66.7% of transcode time (60.0 s)' } });
  t.ok('headline' in first! && first.movable_share + first.remote_share + first.blocked_share > 0.99, 'the shares add up to the whole');

  const more = openSessionLog(dbPath);
  more.recordSessionStart({ id: '00000000-0000-4000-8000-00000000000c', startedAt: now, argv: ['-i', 'x'], envNames: [], cwd: dir, kind: 'video-transcode', decision: 'remote', endedAt: now + 30_000, exitCode: 0 });
  more.close();
  clock += 30_000;
  t.equal(await read(fleet), first, 'within a minute: the same summary');
  clock += 31_000;
  t.match(await read(fleet), { total: 3, computed_at: new Date(clock).toISOString() }, 'after a minute: recomputed');
});

t.test('a session log that cannot be read: the problem, said', async (t) => {
  const broken = join(dir, 'broken.db');
  writeFileSync(broken, 'not a database at all, just text that is long enough to be read as a header and more');
  t.match(await createFeasibilityFeed({ dbPath: broken, config })(fleet), { problem: /./, computed_at: /^\d{4}-/ });
});
