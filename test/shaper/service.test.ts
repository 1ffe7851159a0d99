/**
 * `plexbeam shaper run` end to end: the built CLI as a real process inside a network namespace
 * this test creates, a fake PMS answering `/status/sessions` on the namespace's loopback, and
 * assertions on the real tc state.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { followJsonLogs, type JsonLogFollower } from '../harness/json-log-process.ts';
import { createTcRunner } from '../../shaper/tc-runner.ts';
import { readTcState, type TcState } from '../../shaper/tc-state.ts';
import { createTestNetns, netnsSkipReason, type TestNetns } from './netns.ts';
import { sessionsXml, type FixtureSession } from './sessions-fixture.ts';

const bin = fileURLToPath(new URL('../../bin/plexbeam', import.meta.url));
const serverScript = fileURLToPath(new URL('./fake-sessions-server.ts', import.meta.url));
const TOKEN = 'token-Xq93-never-logged';
const skip = netnsSkipReason() ?? (existsSync(fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url))) ? null : 'needs the built CLI (npm run build)');

/** Polls `check` every 200 ms until it returns a value, for at most `ms`. */
async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface Rig {
  ns: TestNetns;
  dir: string;
  config: string;
  /** Changes what PMS lists; resolves once the running shaper has polled the new list. */
  setSessions(sessions: FixtureSession[]): Promise<void>;
  /** Changes what PMS lists, before a shaper runs. */
  writeSessions(sessions: FixtureSession[]): void;
  /** The parts of a device's qdiscs that configuration sets (not their counters). */
  qdiscs(dev: string): string;
  startShaper(): { proc: ChildProcess; logs: JsonLogFollower };
  tcState(): Promise<TcState>;
  shaped(): Promise<Map<string, string>>;
  plexbeam(args: string[]): { code: number | null; stdout: string; stderr: string };
}

async function createRig(t: Test): Promise<Rig> {
  const ns = createTestNetns();
  t.teardown(() => ns.teardown());
  const dir = t.testdir({ 'Preferences.xml': `<?xml version="1.0" encoding="utf-8"?>\n<Preferences MachineIdentifier="m1" PlexOnlineToken="${TOKEN}"/>\n` });
  const xmlFile = join(dir, 'sessions.xml');
  writeFileSync(xmlFile, sessionsXml([]));
  const server = spawn('ip', ['netns', 'exec', ns.name, process.execPath, serverScript, xmlFile, TOKEN], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => void server.kill('SIGKILL'));
  const serverLogs = followJsonLogs(server, { timeoutMs: 10_000 });
  const port = (await serverLogs.waitForLog((l) => typeof l.port === 'number')).port as number;
  const served = () => serverLogs.logs.filter((l) => typeof l.served === 'number').length;
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      dataDir: dir,
      logLevel: 'info',
      shaper: {
        interface: 'pb0',
        ceil: '20mbit',
        perClient: '4mbit',
        overrides: [{ address: '10.200.0.3', rate: '6mbit' }],
        // The test's clients are in private ranges, which the default would exempt.
        exempt: ['127.0.0.0/8', '10.200.0.9/32'],
        // Longer than the two polls `setSessions` waits for (about 4 s).
        grace: 6,
        pmsUrl: `http://127.0.0.1:${port}`,
        preferencesPath: join(dir, 'Preferences.xml'),
        logPath: join(dir, 'no-such.log'),
      },
    }),
  );
  const tc = createTcRunner(ns.tcCommand);
  const rig: Rig = {
    ns,
    dir,
    config,
    writeSessions: (sessions) => {
      // Atomically, so that the server never reads a half-written list.
      writeFileSync(`${xmlFile}.tmp`, sessionsXml(sessions));
      renameSync(`${xmlFile}.tmp`, xmlFile);
    },
    qdiscs: (dev) =>
      JSON.stringify(
        (JSON.parse(ns.exec('tc', '-j', 'qdisc', 'show', 'dev', dev)) as Record<string, any>[]).map((q) => [q.kind, q.handle, q.root ?? false, q.parent ?? null, q.options?.default ?? null]),
      ),
    // Resolves once PMS has answered twice with the new list (the first may have been read before).
    async setSessions(sessions) {
      rig.writeSessions(sessions);
      const target = served() + 2;
      await until('two polls of the new sessions', () => (served() >= target ? true : undefined));
    },
    startShaper() {
      const proc = spawn('ip', ['netns', 'exec', ns.name, bin, 'shaper', 'run', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
      t.teardown(() => void proc.kill('SIGKILL'));
      return { proc, logs: followJsonLogs(proc, { timeoutMs: 20_000 }) };
    },
    tcState: () => readTcState(tc, 'pb0', '7062:'),
    async shaped() {
      const state = await rig.tcState();
      return new Map(state.filters.filter((f) => f.address !== null && f.flowid !== null).map((f) => [f.address as string, f.flowid as string]));
    },
    plexbeam(args) {
      const result = spawnSync('ip', ['netns', 'exec', ns.name, bin, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
      return { code: result.status, stdout: result.stdout, stderr: result.stderr };
    },
  };
  return rig;
}

t.test('shapes the playing clients, holds rules through grace, adopts on restart, removes only its own on SIGTERM', { skip: skip ?? false, timeout: 180_000 }, async (t) => {
  const rig = await createRig(t);
  rig.ns.exec('tc', 'qdisc', 'add', 'dev', 'pb2', 'root', 'handle', '5:', 'htb', 'default', '0');
  const pb0Before = rig.qdiscs('pb0');
  const pb2Before = rig.qdiscs('pb2');
  rig.writeSessions([
    { address: '10.200.0.2', state: 'playing', bandwidth: 4000, transcode: true },
    { address: '10.200.0.3', state: 'playing', bandwidth: 9000 },
    { address: 'fd00:200::2', state: 'paused', type: 'Track' },
    { address: '10.200.0.9', state: 'playing' },
  ]);

  let shaper = rig.startShaper();
  await shaper.logs.waitForLog((l) => l.msg === 'starting');
  const shaped = await until('three shaped clients', async () => {
    const map = await rig.shaped();
    return map.size === 3 ? map : undefined;
  });
  t.same([...shaped.keys()].sort(), ['10.200.0.2', '10.200.0.3', 'fd00:200::2'], 'IPv4 and IPv6 clients shaped; the exempt one not');
  const state = await rig.tcState();
  const rates = new Map(state.classes.map((c) => [c.classid, [c.rateBits, c.ceilBits]]));
  t.same(rates.get('7062:1'), [20e6, 20e6], 'the server-wide ceiling');
  t.same(rates.get(shaped.get('10.200.0.2') as string), [4e6, 4e6], 'perClient');
  t.same(rates.get(shaped.get('10.200.0.3') as string), [6e6, 6e6], 'override');
  t.same(rates.get(shaped.get('fd00:200::2') as string), [4e6, 4e6]);

  const status = rig.plexbeam(['shaper', 'status', '--json', '--config', rig.config]);
  t.equal(status.code, 0, status.stderr);
  const report = JSON.parse(status.stdout);
  t.equal(report.running, true);
  t.same(report.classes.map((c: { address: string }) => c.address), ['10.200.0.2', '10.200.0.3', 'fd00:200::2']);
  t.same(report.sessions.map((s: { address: string; state: string }) => `${s.address} ${s.state}`).sort(), ['10.200.0.2 playing', '10.200.0.3 playing', '10.200.0.9 playing', 'fd00:200::2 paused']);
  t.match(report.clients.find((c: { address: string }) => c.address === '10.200.0.9'), { exempt: true, classid: null });
  t.ok(report.changes.length > 0, 'the last changes are listed');
  t.match(report.statusLine, /^3 viewers shaped · \d+(\.\d)?\/20 Mbit\/s$/);
  const text = rig.plexbeam(['shaper', 'status', '--config', rig.config]);
  t.match(text.stdout, /shaper: running on pb0/);
  t.match(text.stdout, /10\.200\.0\.3\s+7062:\S+\s+rate 6mbit ceil 6mbit/);

  // A drag storm: 10.200.0.2's session stops and starts again within the grace: no change.
  const changesBefore = shaper.logs.logs.filter((l) => l.msg === 'tc changed').length;
  for (let i = 0; i < 2; i++) {
    await rig.setSessions([{ address: '10.200.0.3' }, { address: 'fd00:200::2', state: 'paused' }, { address: '10.200.0.9' }]);
    await rig.setSessions([{ address: '10.200.0.2' }, { address: '10.200.0.3' }, { address: 'fd00:200::2', state: 'paused' }, { address: '10.200.0.9' }]);
  }
  t.equal(shaper.logs.logs.filter((l) => l.msg === 'tc changed').length, changesBefore, 'no tc change during the drag storm');
  t.same(await rig.shaped(), shaped, 'the same classes');

  // A real stop: the class stays through the grace, then goes.
  await rig.setSessions([{ address: '10.200.0.3' }, { address: 'fd00:200::2', state: 'paused' }]);
  t.ok((await rig.shaped()).has('10.200.0.2'), 'still shaped right after the stop (grace)');
  await until('the stopped client removed', async () => ((await rig.shaped()).has('10.200.0.2') ? undefined : true));
  t.same([...(await rig.shaped()).keys()].sort(), ['10.200.0.3', 'fd00:200::2']);

  // A crash with rules in place, then a restart: the rules are adopted, no duplicates.
  shaper.proc.kill('SIGKILL');
  await shaper.logs.exited;
  const beforeRestart = await rig.tcState();
  shaper = rig.startShaper();
  await shaper.logs.waitForLog((l) => l.msg === 'starting');
  await rig.setSessions([{ address: '10.200.0.3' }, { address: 'fd00:200::2', state: 'paused' }]);
  t.same(shaper.logs.logs.filter((l) => l.msg === 'tc changed').map((l) => l.change), [], 'nothing to change after the restart');
  const afterRestart = await rig.tcState();
  t.same(afterRestart.classes.map((c) => c.classid).sort(), beforeRestart.classes.map((c) => c.classid).sort(), 'the same classes, no duplicates');
  t.equal(afterRestart.filters.length, 2);

  // A client vanishing without a STOP (PMS down: nothing listed) goes after the grace too.
  await rig.setSessions([{ address: 'fd00:200::2', state: 'paused' }]);
  await until('the vanished client removed', async () => ((await rig.shaped()).has('10.200.0.3') ? undefined : true));

  const all = [...shaper.logs.logs.map((l) => JSON.stringify(l)), shaper.logs.stderr(100_000)].join('\n');
  t.notMatch(all, TOKEN, 'the token is never logged');

  shaper.proc.kill('SIGTERM');
  t.same(await shaper.logs.exited, { code: 0, signal: null }, 'exits 0 on SIGTERM');
  t.equal(rig.qdiscs('pb0'), pb0Before, "pb0's qdisc is exactly as before");
  t.equal(rig.qdiscs('pb2'), pb2Before, 'the foreign qdisc on pb2 stays');
  const stopped = JSON.parse(rig.plexbeam(['shaper', 'status', '--json', '--config', rig.config]).stdout);
  t.match(stopped, { running: false, classes: [] });
});

t.test('refuses to start on a foreign root qdisc or a missing interface (exit 1), leaving it as it was', { skip: skip ?? false, timeout: 60_000 }, async (t) => {
  const rig = await createRig(t);
  rig.ns.exec('tc', 'qdisc', 'add', 'dev', 'pb0', 'root', 'handle', '9:', 'htb', 'default', '0');
  const before = rig.qdiscs('pb0');
  const shaper = rig.startShaper();
  t.same(await shaper.logs.exited, { code: 1, signal: null });
  t.match(shaper.logs.stderr(), /pb0 already has a htb root qdisc \(handle 9:\)/);
  t.equal(rig.qdiscs('pb0'), before, 'the foreign root qdisc is untouched');
  const bad = rig.plexbeam(['shaper', 'run', '--config', join(rig.dir, 'nope.json')]);
  t.equal(bad.code, 2, 'a missing config is a usage error');
});
