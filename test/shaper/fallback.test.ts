/**
 * The service at factory level, against the real tc in a namespace: with PMS unreachable it
 * shapes from Plex's log (timeline reports), reports why in its status, and its close() removes
 * every rule it made.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { createLogger } from '../../core/log.ts';
import { createPlexLogSource } from '../../shaper/log-source.ts';
import { createReconciler } from '../../shaper/reconcile.ts';
import { createShaper } from '../../shaper/service.ts';
import { createPmsSessionsSource } from '../../shaper/sessions-source.ts';
import { readShaperSettings } from '../../shaper/settings.ts';
import { readShaperStatus } from '../../shaper/status-file.ts';
import { createTcRunner } from '../../shaper/tc-runner.ts';
import { readTcState } from '../../shaper/tc-state.ts';
import { createTestNetns, netnsSkipReason } from './netns.ts';

const skip = netnsSkipReason();
const timeline = (address: string, state: string) =>
  `Dec 01, 2026 21:00:00.000 [140000] DEBUG - Request: [${address}:51234 (WAN)] GET /:/timeline?ratingKey=7&key=%2Flibrary%2Fmetadata%2F7&state=${state}&time=1000 (12 live) #1 GZIP Signed-in Token (viewer)\n`;

async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

t.test("PMS down: shapes from Plex's log, then removes its rules on close", { skip: skip ?? false, timeout: 60_000 }, async (t) => {
  const ns = createTestNetns();
  t.teardown(() => ns.teardown());
  const dir = t.testdir({});
  const logPath = join(dir, 'Plex Media Server.log');
  writeFileSync(logPath, timeline('10.200.0.2', 'playing'));
  const settings = readShaperSettings({
    interface: 'pb0', ceil: '20mbit', perClient: '4mbit', overrides: [], exempt: ['127.0.0.0/8'], grace: 0,
    // Port 1 on loopback: nothing listens, so every poll fails.
    pmsUrl: 'http://127.0.0.1:1', preferencesPath: join(dir, 'Preferences.xml'), logPath,
  });
  const lines = new PassThrough();
  let logged = '';
  lines.on('data', (chunk: Buffer) => (logged += chunk.toString('utf8')));
  const log = await createLogger({ name: 'shaper', config: { logLevel: 'info', logFiles: false, logDir: dir }, destination: lines });
  const tc = createTcRunner(ns.tcCommand);
  const before = ns.exec('tc', 'qdisc', 'show', 'dev', 'pb0');
  const statusPath = join(dir, 'shaper-state.json');
  const shaper = createShaper({
    settings,
    source: createPmsSessionsSource({ pmsUrl: settings.pmsUrl, token: async () => 'unused' }),
    fallback: createPlexLogSource({ path: logPath }),
    reconciler: createReconciler({ tc, device: 'pb0' }),
    log,
    statusPath,
    pollMs: 200,
  });
  let closed = false;
  t.teardown(() => (closed ? undefined : shaper.close()));
  await shaper.start();

  const state = await readTcState(tc, 'pb0', '7062:');
  t.same(state.filters.map((f) => f.address), ['10.200.0.2'], 'the player in the log is shaped');
  const status = await readShaperStatus(statusPath);
  t.equal(status?.source, 'log');
  t.match(status?.lastError, /cannot read Plex's sessions/);
  t.match(logged, /following Plex's log instead/);

  appendFileSync(logPath, timeline('10.200.0.2', 'stopped') + timeline('fd00:200::2', 'playing'));
  const after = await until('the stop and the new player applied', async () => {
    const addresses = (await readTcState(tc, 'pb0', '7062:')).filters.map((f) => f.address);
    return addresses.length === 1 && addresses[0] === 'fd00:200::2' ? addresses : undefined;
  });
  t.same(after, ['fd00:200::2']);

  await shaper.close();
  closed = true;
  t.equal(ns.exec('tc', 'qdisc', 'show', 'dev', 'pb0'), before, 'the interface is as before');
  t.match(JSON.parse(readFileSync(statusPath, 'utf8')), { running: false, clients: [] });
});
