// Wake-on-LAN (cartridge/wake.ts): the magic packet's bytes, the once-a-minute rule kept in a
// stamp file per worker, and how failures are told. No packet is sent here: the real send is
// tested inside a network namespace (wake-netns.test.ts).
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { checkWorkers, wakeSleepers, type HealthResult } from '../../cartridge/choose-worker.ts';
import { claimWake, magicPacket, parseMac, sendMagicPacket, STALE_LOCK_MS, WAKE_INTERVAL_MS, wakeStampPath, wakeWorkers } from '../../cartridge/wake.ts';

const MAC = '52:54:00:ab:cd:ef';
const wake = { mac: MAC, broadcast: '192.0.2.255' };

t.test('the magic packet: 6 bytes of 0xFF, then the MAC 16 times', async (t) => {
  const packet = magicPacket(MAC);
  t.equal(packet.length, 102);
  t.equal(packet.subarray(0, 6).toString('hex'), 'ffffffffffff');
  for (let i = 0; i < 16; i++) t.equal(packet.subarray(6 + 6 * i, 12 + 6 * i).toString('hex'), '525400abcdef', `copy ${i + 1}`);
  t.same(magicPacket('52-54-00-AB-CD-EF'), packet, 'dashes and capitals read the same');
  for (const bad of ['', '52:54:00:ab:cd', '52:54:00:ab:cd:ef:01', '52:54-00:ab:cd:ef', 'zz:54:00:ab:cd:ef', '525400abcdef']) {
    t.throws(() => parseMac(bad), { message: /not a MAC address/ }, JSON.stringify(bad));
  }
});

t.test('at most one packet a minute per worker, kept in a stamp file', async (t) => {
  const dir = join(t.testdir({}), 'data');
  const now = 1_800_000_000_000;
  t.ok(claimWake(dir, MAC, now), 'the first play sends (the folder is created)');
  const stamp = wakeStampPath(dir, MAC);
  t.equal(stamp, join(dir, 'wake-525400abcdef.json'));
  t.same(JSON.parse(readFileSync(stamp, 'utf8')), { mac: MAC, sentAt: now });
  t.notOk(claimWake(dir, MAC, now + 1), 'a play a millisecond later does not');
  t.notOk(claimWake(dir, '52-54-00-AB-CD-EF', now + WAKE_INTERVAL_MS - 1), 'nor one just inside the minute (the same MAC written otherwise)');
  t.ok(claimWake(dir, '52:54:00:00:00:01', now + 1), 'another worker has its own minute');
  t.ok(claimWake(dir, MAC, now + WAKE_INTERVAL_MS), 'a minute later it sends again');
  t.notOk(claimWake(dir, MAC, now + WAKE_INTERVAL_MS + 5), 'and that starts a new minute');
  t.notOk(existsSync(`${stamp}.lock`), 'no lock is left behind');
});

t.test('a stamp from the future (the clock stepped back) or a malformed one does not hold the packet', async (t) => {
  const dir = t.testdir({});
  const now = 1_800_000_000_000;
  writeFileSync(wakeStampPath(dir, MAC), JSON.stringify({ mac: MAC, sentAt: now + 10 * 60_000 }));
  t.ok(claimWake(dir, MAC, now), 'a stamp ten minutes ahead');
  t.same(JSON.parse(readFileSync(wakeStampPath(dir, MAC), 'utf8')).sentAt, now, 'replaced by now');
  writeFileSync(wakeStampPath(dir, MAC), JSON.stringify({ mac: MAC, sentAt: now + 500 }));
  t.notOk(claimWake(dir, MAC, now), 'half a second ahead is clock jitter: still within the minute');
  for (const text of ['{ "sentAt": ', '{ "sentAt": "yesterday" }', 'null']) {
    writeFileSync(wakeStampPath(dir, MAC), text);
    t.ok(claimWake(dir, MAC, now), `stamp ${JSON.stringify(text)}`);
  }
});

t.test('plays deciding at once send one packet: the lock file', async (t) => {
  const dir = t.testdir({});
  const now = Date.now();
  const lock = `${wakeStampPath(dir, MAC)}.lock`;
  writeFileSync(lock, '');
  t.notOk(claimWake(dir, MAC, now), 'another play holds the lock: this one does not send');
  t.ok(existsSync(lock), 'a fresh lock is left to its holder');
  const old = (now - STALE_LOCK_MS - 1000) / 1000;
  utimesSync(lock, old, old);
  t.notOk(claimWake(dir, MAC, now), 'a lock left by a play that died: not this play either…');
  t.notOk(existsSync(lock), '…but it is removed');
  t.ok(claimWake(dir, MAC, now), 'so the next play sends');
});

t.test('a data folder that cannot be written is an error for the caller', async (t) => {
  const dir = t.testdir({ file: 'not a folder' });
  t.throws(() => claimWake(join(dir, 'file'), MAC), { code: /EEXIST|ENOTDIR/ });
});

t.test('wakeWorkers: sends once per minute, skips workers without wake, one stderr line for all failures', async (t) => {
  const dir = t.testdir({});
  const sent: string[] = [];
  const warned: string[] = [];
  const send = async (mac: string, broadcast: string) => {
    sent.push(`${mac} ${broadcast}`);
    if (mac.endsWith('02')) throw new Error('send ENETUNREACH 192.0.2.255:9');
  };
  const workers = [
    { name: 'gpu', url: 'http://gpu:8765', wake },
    { name: '', url: 'http://plain:8765' },
    { name: 'bad', url: 'http://bad:8765', wake: { mac: '52:54:00:00:00:02', broadcast: '192.0.2.255' } },
  ];
  const first = await wakeWorkers(workers, { dataDir: dir, now: 1000, send, warn: (line) => warned.push(line) });
  t.same(first, [{ worker: 'gpu', sent: true }, { worker: 'http://plain:8765', sent: false }, { worker: 'bad', sent: false, error: 'send ENETUNREACH 192.0.2.255:9' }]);
  t.same(sent, [`${MAC} 192.0.2.255`, '52:54:00:00:00:02 192.0.2.255']);
  t.same(warned, ['plexbeam: Wake-on-LAN not sent: bad (send ENETUNREACH 192.0.2.255:9)\n'], 'one line, naming the worker and why');
  const again = await wakeWorkers(workers, { dataDir: dir, now: 2000, send, warn: (line) => warned.push(line) });
  t.same(again.map((r) => r.sent), [false, false, false], 'within the minute nothing is sent, even after a failed send');
  t.equal(sent.length, 2);
  t.equal(warned.length, 1, 'and nothing more is said');
  const twoFail = await wakeWorkers([{ name: 'x', url: 'u', wake }, { name: 'y', url: 'v', wake: { mac: '52:54:00:00:00:03', broadcast: '1.2.3.4' } }], {
    dataDir: join(t.testdir({ f: '' }), 'f'), send, warn: (line) => warned.push(line),
  });
  t.equal(twoFail.filter((r) => r.error !== undefined).length, 2, 'an unwritable data folder fails both');
  t.equal(warned.length, 2, 'in one line');
  t.match(warned[1], /^plexbeam: Wake-on-LAN not sent: x \(.+\); y \(.+\)\n$/);
});

t.test("wakeWorkers without a dataDir takes the config's, as the cartridge loads it", async (t) => {
  const dir = t.testdir({});
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ dataDir: join(dir, 'from-config') }));
  const saved = { config: process.env.PLEXBEAM_CONFIG, env: process.env.PLEXBEAM_ENV };
  process.env.PLEXBEAM_CONFIG = config;
  delete process.env.PLEXBEAM_ENV;
  t.teardown(() => {
    if (saved.config === undefined) delete process.env.PLEXBEAM_CONFIG;
    else process.env.PLEXBEAM_CONFIG = saved.config;
    if (saved.env !== undefined) process.env.PLEXBEAM_ENV = saved.env;
  });
  const sent: string[] = [];
  const results = await wakeWorkers([{ url: 'http://gpu:8765', wake }], { send: async (mac) => void sent.push(mac), warn: () => t.fail('no warning') });
  t.same(results, [{ worker: 'http://gpu:8765', sent: true }]);
  t.ok(existsSync(wakeStampPath(join(dir, 'from-config'), MAC)), 'the stamp is in the config\'s dataDir');
});

t.test('sendMagicPacket sends only to an IPv4 address (never a name to look up)', async (t) => {
  await t.rejects(sendMagicPacket(MAC, 'gpu-box.lan'), { message: 'not an IPv4 address: "gpu-box.lan"' });
  await t.rejects(sendMagicPacket('nope', '192.0.2.255'), { message: /not a MAC address/ });
});

t.test('wakeSleepers: only a worker found down (not draining, not answering wrongly) with wake', async (t) => {
  const worker = (name: string, withWake = true) => ({ url: `http://${name}:8765`, apiKey: '', name, ...(withWake ? { wake } : {}) });
  const results: HealthResult[] = [
    { worker: worker('draining'), reason: 'draining (fleet cache)' },
    { worker: worker('http500'), reason: 'health check answered HTTP 500' },
    { worker: worker('nowake', false), reason: 'unreachable (ECONNREFUSED)', down: true },
  ];
  t.equal(wakeSleepers(results, t.testdir({})), null, 'nothing to wake: wake.ts is not even loaded');
  // A down worker whose minute has not passed: wake.ts loads and decides, and no packet goes.
  const dir = t.testdir({});
  mkdirSync(dir, { recursive: true });
  writeFileSync(wakeStampPath(dir, MAC), JSON.stringify({ mac: MAC, sentAt: Date.now() }));
  const pending = wakeSleepers([...results, { worker: worker('asleep'), reason: 'no answer within 400 ms', down: true }], dir);
  t.ok(pending, 'wake.ts is loaded for it');
  await pending;
  t.same(JSON.parse(readFileSync(wakeStampPath(dir, MAC), 'utf8')).mac, MAC, 'the stamp is kept');
});

t.test('checkWorkers marks an unreachable worker down (the wake goes on the side)', async (t) => {
  const dir = t.testdir({});
  writeFileSync(wakeStampPath(dir, MAC), JSON.stringify({ mac: MAC, sentAt: Date.now() }));
  const [result] = await checkWorkers([{ url: 'http://127.0.0.1:1', apiKey: '', name: 'off', wake }], 400, undefined, dir);
  t.match(result, { reason: /unreachable/, down: true });
});
