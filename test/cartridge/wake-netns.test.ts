// Wake-on-LAN for real: inside a network namespace this test creates (loopback plus a veth pair
// whose two ends both stay in it, so no packet can leave), the installed cartridge plays with a
// worker that is down and has `wake`; a UDP listener in the namespace receives the magic packet.
// The play falls back to the stand-in `Plex Transcoder.real` without waiting, and a second play
// within the minute sends nothing. Needs root (`ip netns`); skipped, saying why, without it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { readFakeRealCalls } from '../harness/index.ts';
import { API_KEY, installShim, makeMedia, plexEnv, readSessions, ROOT, spawnOwned, until, writeConfig } from './helpers.ts';

const NS = `plexbeam-wake-${process.pid}`;
const ADDRESS = '10.231.7.1';
const BROADCAST = '10.231.7.255';
const MAC = '52:54:00:12:34:56';
/** The packet, written out by hand: 6 × 0xFF, then the MAC 16 times. */
const EXPECTED = 'ff'.repeat(6) + '525400123456'.repeat(16);

const ip = (...args: string[]) => spawnSync('ip', args, { encoding: 'utf8' });

/** Creates the namespace; null when ready, else why the tests are skipped. */
function createNamespace(): string | null {
  if (process.getuid?.() !== 0) return 'not root: ip netns needs root';
  const added = ip('netns', 'add', NS);
  if (added.error !== undefined) return `no ip command (${added.error.message})`;
  if (added.status !== 0) return `network namespaces unavailable: ip netns add: ${added.stderr.trim()}`;
  for (const step of [
    ['-n', NS, 'link', 'set', 'lo', 'up'],
    ['-n', NS, 'link', 'add', 'wake0', 'type', 'veth', 'peer', 'name', 'wake1'],
    ['-n', NS, 'addr', 'add', `${ADDRESS}/24`, 'broadcast', BROADCAST, 'dev', 'wake0'],
    ['-n', NS, 'link', 'set', 'wake0', 'up'],
    ['-n', NS, 'link', 'set', 'wake1', 'up'],
  ]) {
    const done = ip(...step);
    if (done.status !== 0) {
      ip('netns', 'del', NS);
      return `cannot set up the namespace: ip ${step.join(' ')}: ${done.stderr.trim()}`;
    }
  }
  return null;
}

const skip = createNamespace();
if (skip === null) t.teardown(() => void ip('netns', 'del', NS));

const dir = realpathSync(t.testdir({ tx: { s: {} } }));
const cwd = join(dir, 'tx', 's');

/** The UDP listener on port 9 inside the namespace (one for the file): what it received so far. */
let listener: Promise<() => { hex: string; from: string }[]> | undefined;
const listen = () => (listener ??= startListener());

async function startListener(): Promise<() => { hex: string; from: string }[]> {
  const script = join(dir, 'listener.mjs');
  writeFileSync(script, `import dgram from 'node:dgram';
const socket = dgram.createSocket('udp4');
socket.on('message', (m, r) => process.stdout.write(JSON.stringify({ hex: m.toString('hex'), from: r.address }) + '\\n'));
socket.bind(9, '0.0.0.0', () => process.stdout.write('ready\\n'));
`);
  const proc = spawnOwned('ip', ['netns', 'exec', NS, process.execPath, script], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await until(() => (out.startsWith('ready\n') ? true : undefined), 10_000, 'the listener in the namespace');
  return () => out.split('\n').slice(1).filter((line) => line !== '').map((line) => JSON.parse(line) as { hex: string; from: string });
}

t.test('a down worker with wake: the play falls back at once and one magic packet goes, once a minute', { skip: skip ?? false }, async (t) => {
  const plex = await installShim(dir);
  const input = makeMedia(join(dir, 'media', 'in.mkv'), 1);
  const packets = await listen();
  const config = writeConfig(dir, {
    // Port 1 on the namespace's loopback: nothing listens, the health check is refused at once.
    workers: [{ url: 'http://127.0.0.1:1', name: 'sleepy', apiKey: API_KEY, wake: { mac: MAC, broadcast: BROADCAST } }],
    healthTimeoutMs: 400,
    server: { fleetFile: join(dir, 'no-fleet-cache.json') },
  });
  /** One play through the installed shim, run inside the namespace. */
  const play = async (out: string) => {
    const env = Object.entries(plexEnv({ PLEXBEAM_CONFIG: config, PLEXBEAM_FAKE_REAL_LOG: plex.realLog })).map(([name, value]) => `${name}=${value}`);
    const startedAt = Date.now();
    const proc = spawnOwned('ip', ['netns', 'exec', NS, '/usr/bin/env', '-i', ...env, plex.shim, '-i', input, '-c:v', 'libx264', '-c:a', 'aac', '-f', 'mp4', out], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
    const real = (await readFakeRealCalls(plex.realLog)).find((c) => c.argv.includes(out));
    const row = (await readSessions(dir)).find((r) => r.argv.includes(out));
    return { code, stderr, real, row, ms: Date.now() - startedAt };
  };

  const first = await play('first.mp4');
  t.equal(first.code, 0, first.stderr);
  t.match(first.stderr, /plex-transcoder-real stand-in/, "the stand-in's output reached Plex");
  t.notMatch(first.stderr, /Wake-on-LAN/, 'no wake error');
  t.ok(first.real, 'Plex Transcoder.real ran the play');
  t.match(first.row, { decision: 'fallback', fallbackReason: 'no-healthy-worker', reason: /sleepy unreachable \(ECONNREFUSED\)/, exitCode: 0 });
  const [packet] = await until(() => (packets().length > 0 ? packets() : undefined), 5000, 'the magic packet');
  t.equal(packet?.hex, EXPECTED, 'the magic packet: 6 × 0xFF, then the MAC 16 times');
  t.equal(packet?.from, ADDRESS, 'broadcast from the namespace\'s own address');
  const stamp = join(dir, 'data', 'wake-525400123456.json');
  t.ok(existsSync(stamp), 'the minute is stamped in the data folder');
  t.comment(`the play took ${first.ms} ms`);

  const second = await play('second.mp4');
  t.equal(second.code, 0, second.stderr);
  t.ok(second.real, 'the second play fell back too');
  t.match(second.row, { decision: 'fallback', fallbackReason: 'no-healthy-worker' });

  // The minute passes (the stamp is set back): the next play wakes it again. The listener then holds
  // exactly two packets, so the second play sent none (datagrams on one host arrive in order).
  writeFileSync(stamp, JSON.stringify({ mac: MAC, sentAt: Date.now() - 61_000 }));
  const third = await play('third.mp4');
  t.equal(third.code, 0, third.stderr);
  const all = await until(() => (packets().length >= 2 ? packets() : undefined), 5000, 'the third play\'s packet');
  t.equal(all.length, 2, 'one packet from the first play, none from the second, one from the third');
  t.equal(all[1]?.hex, EXPECTED);
  t.ok(JSON.parse(readFileSync(stamp, 'utf8')).sentAt > Date.now() - 60_000, 'stamped anew');
});

t.test('sendMagicPacket inside the namespace: sent with SO_BROADCAST, and a network it cannot reach is an error', { skip: skip ?? false }, async (t) => {
  const packets = await listen();
  const before = packets().length;
  const send = (broadcast: string) => {
    const code = `import(${JSON.stringify(join(ROOT, 'cartridge', 'wake.ts'))}).then((m) => m.sendMagicPacket(${JSON.stringify(MAC)}, ${JSON.stringify(broadcast)})).then(() => console.log('sent'), (e) => console.log('error', e.code))`;
    // The test's own environment (its coverage hooks follow the child).
    return spawnSync('ip', ['netns', 'exec', NS, process.execPath, '--input-type=module', '-e', code], { encoding: 'utf8' });
  };
  t.equal(send(BROADCAST).stdout.trim(), 'sent');
  const received = await until(() => (packets().length > before ? packets() : undefined), 5000, 'the packet');
  t.equal(received[before]?.hex, EXPECTED);
  // No route to 10.232.0.255 inside the namespace: the kernel refuses it, nothing is sent.
  t.equal(send('10.232.0.255').stdout.trim(), 'error ENETUNREACH');
});
