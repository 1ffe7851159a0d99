/** The shaper's pure pieces: rates, addresses, PMS's sessions XML, the grace memory, settings. */
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cidrContains, parseAddress, parseCidr } from '../../shaper/address.ts';
import { createPlexLogSource, parseTimelineLine } from '../../shaper/log-source.ts';
import { readPlexToken } from '../../shaper/plex-token.ts';
import { createPresence } from '../../shaper/presence.ts';
import { formatRate, parseRate } from '../../shaper/rate.ts';
import { parseSessionsXml } from '../../shaper/sessions-xml.ts';
import { readShaperSettings } from '../../shaper/settings.ts';
import { validateConfig } from '../../core/config.ts';
import type { ShaperConfig } from '../../core/config.ts';
import { sessionsXml } from './sessions-fixture.ts';

t.test('rates in tc notation', async (t) => {
  t.equal(parseRate('4mbit'), 4e6);
  t.equal(parseRate('500kbit'), 5e5);
  t.equal(parseRate('1.5Mbit'), 1.5e6, "tc's own output (capital M)");
  t.equal(parseRate('1mbps'), 8e6, 'bps is bytes per second');
  t.equal(parseRate('1mibit'), 2 ** 20);
  t.equal(parseRate('1000'), 1000, 'a bare number is bits per second');
  for (const bad of ['', 'fast', '4 mbit', '-1mbit', '0bit', '4mbitz']) t.equal(parseRate(bad), null, bad);
  t.equal(formatRate(4e6), '4mbit');
  t.equal(formatRate(1.5e6), '1500kbit');
});

t.test('addresses and CIDRs', async (t) => {
  t.equal(parseAddress('::ffff:10.0.0.1')?.text, '10.0.0.1', 'IPv4-mapped IPv6 is IPv4');
  t.equal(parseAddress('FD00:0200:0000:0000:0000:0000:0000:0002')?.text, 'fd00:200::2');
  t.equal(parseAddress('[2001:db8::1]')?.text, '2001:db8::1');
  t.equal(parseAddress('fe80::1%eth0')?.text, 'fe80::1');
  t.equal(parseAddress('2001:db8:0:1:0:0:0:1')?.text, '2001:db8:0:1::1');
  t.equal(parseAddress('not-an-ip'), null);
  const lan = parseCidr('172.16.0.0/12');
  t.ok(lan && cidrContains(lan, parseAddress('172.31.255.1')!));
  t.notOk(lan && cidrContains(lan, parseAddress('172.32.0.1')!));
  const ula = parseCidr('fc00::/7');
  t.ok(ula && cidrContains(ula, parseAddress('fd00:200::2')!));
  t.notOk(ula && cidrContains(ula, parseAddress('2001:db8::1')!));
  t.notOk(ula && cidrContains(ula, parseAddress('10.0.0.1')!), 'families never match');
  t.equal(parseCidr('10.0.0.0/33'), null);
  t.equal(parseCidr('10.0.0.0/8/1'), null);
});

t.test("PMS's /status/sessions XML", async (t) => {
  const xml = sessionsXml([
    { address: '203.0.113.7', state: 'playing', bandwidth: 4200, transcode: true },
    { address: '2001:db8::5', state: 'paused', type: 'Track', bandwidth: 320 },
    { address: '::ffff:198.51.100.1', state: 'buffering' },
  ]);
  const sessions = parseSessionsXml(xml);
  t.same(sessions.map((s) => [s.address, s.state, s.bandwidthKbps, s.location]), [
    ['203.0.113.7', 'playing', 4200, 'wan'],
    ['2001:db8::5', 'paused', 320, 'wan'],
    ['198.51.100.1', 'buffering', 8000, 'wan'],
  ]);
  t.equal(sessions[0]?.id, 'session-0');
  t.equal(sessions[0]?.player, 'Chrome & co 0', 'entities decoded');
  t.same(parseSessionsXml('<?xml version="1.0"?><MediaContainer size="0"></MediaContainer>'), []);
  t.same(parseSessionsXml('<MediaContainer size="0"/>'), []);
});

t.test('the grace memory holds a stopped client, then lets it go', async (t) => {
  const presence = createPresence(15_000);
  const session = { id: 's', address: '203.0.113.7', state: 'playing', bandwidthKbps: null, location: null, player: null };
  presence.observe([session], 0);
  presence.observe([], 2000);
  t.same(presence.current(2000).map((c) => [c.address, c.releaseAt]), [['203.0.113.7', 15_000]], 'held during grace');
  presence.observe([session], 4000);
  t.same(presence.current(4000).map((c) => c.releaseAt), [null], 'back: no release pending');
  presence.observe([], 6000);
  t.same(presence.current(18_999).length, 1);
  t.same(presence.current(19_000), [], 'gone after the grace');
});

t.test('settings: rates, CIDRs and addresses checked with the key named', async (t) => {
  const base = validateConfig({}).shaper as ShaperConfig;
  const ok = readShaperSettings({ ...base, interface: 'eth0', overrides: [{ address: '2001:DB8::1', rate: '8mbit' }] });
  t.equal(ok.ceilBits, 20e6);
  t.equal(ok.perClientBits, 4e6);
  t.equal(ok.graceMs, 15_000);
  t.same([...ok.overrides], [['2001:db8::1', 8e6]]);
  t.equal(ok.exempt.length, 8, 'the LAN ranges and loopback by default');
  t.throws(() => readShaperSettings({ ...base, ceil: 'fast' }), { code: 'CONFIG_INVALID', message: /`shaper\.ceil`: expected a rate/ });
  t.throws(() => readShaperSettings({ ...base, exempt: ['10.0.0.0/40'] }), { code: 'CONFIG_INVALID', message: /`shaper\.exempt\[0\]`/ });
  t.throws(() => readShaperSettings({ ...base, overrides: [{ address: 'x', rate: '1mbit' }] }), { message: /`shaper\.overrides\[0\]\.address`/ });
  t.throws(() => readShaperSettings(base, { requireInterface: true }), { message: /`shaper\.interface`/ });
  t.throws(() => validateConfig({ shaper: { grace: -1 } }), { code: 'CONFIG_INVALID' });
  t.throws(() => validateConfig({ shaper: { rate: '1mbit' } }), { message: /unknown key `shaper\.rate`/ });
});

t.test("the token comes from Preferences.xml's PlexOnlineToken", async (t) => {
  const dir = t.testdir({
    'Preferences.xml': '<?xml version="1.0" encoding="utf-8"?>\n<Preferences MachineIdentifier="m" PlexOnlineToken="abc-123" PlexOnlineUsername="u"/>\n',
    'empty.xml': '<Preferences MachineIdentifier="m"/>',
  });
  t.equal(await readPlexToken(join(dir, 'Preferences.xml')), 'abc-123');
  await t.rejects(readPlexToken(join(dir, 'empty.xml')), { code: 'SHAPER_TOKEN' });
  await t.rejects(readPlexToken(join(dir, 'missing.xml')), { code: 'SHAPER_TOKEN' });
});

t.test("the log fallback follows timeline reports across a rotation", async (t) => {
  const line = (addr: string, state: string) =>
    `Dec 01, 2026 21:00:00.000 [140000] DEBUG - Request: [${addr}:51234 (WAN)] GET /:/timeline?ratingKey=101&key=%2Flibrary%2Fmetadata%2F101&state=${state}&time=1000&duration=600000 (12 live) #1 GZIP Signed-in Token (viewer)\n`;
  t.same(parseTimelineLine(line('203.0.113.7', 'playing')), { address: '203.0.113.7', state: 'playing', sessionKey: '101' });
  t.same(parseTimelineLine(line('[2001:db8::5]', 'paused'))?.address, '2001:db8::5');
  t.equal(parseTimelineLine('Dec 01 DEBUG - Request: [1.2.3.4:1 (WAN)] GET /library/sections'), null);

  const dir = t.testdir({});
  const path = join(dir, 'Plex Media Server.log');
  writeFileSync(path, line('203.0.113.7', 'playing'));
  let clock = 0;
  const source = createPlexLogSource({ path, now: () => clock });
  t.same((await source.read()).map((s) => s.address), ['203.0.113.7'], 'a player already playing is found');
  appendFileSync(path, line('198.51.100.2', 'playing'));
  t.same((await source.read()).map((s) => s.address), ['203.0.113.7', '198.51.100.2']);
  renameSync(path, join(dir, 'Plex Media Server.1.log'));
  writeFileSync(path, line('203.0.113.7', 'stopped'));
  t.same((await source.read()).map((s) => s.address), ['198.51.100.2'], 'rotated: the new file is read from its start');
  clock = 31_000;
  t.same(await source.read(), [], 'silent players count as gone');
});
