// `workers[].wake` (Wake-on-LAN): validated where the config is read, each error naming the key and
// the value (exit 2, here and from the CLI), and absent from the validated entry when not given.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { validateConfig } from '../../core/config.ts';
import { isPlexBeamError } from '../../core/errors.ts';
import { BIN } from '../cartridge/helpers.ts';

const worker = (extra: Record<string, unknown>) => ({ workers: [{ url: 'http://gpu:8765', apiKey: 'k' }, { url: 'http://pc:8765', apiKey: 'k', ...extra }] });

t.test('a valid wake is kept as given; none given, none in the entry', async (t) => {
  const config = validateConfig(worker({ wake: { mac: 'AA:bb:cc:dd:ee:ff', broadcast: '192.168.1.255' } }));
  const [plain, waking] = config.workers as Record<string, unknown>[];
  t.same(waking?.wake, { mac: 'AA:bb:cc:dd:ee:ff', broadcast: '192.168.1.255' });
  t.notOk(plain !== undefined && 'wake' in plain, 'an entry without wake has no wake key');
  const dashes = validateConfig(worker({ wake: { mac: 'aa-bb-cc-dd-ee-ff' } })).workers as Record<string, unknown>[];
  t.same(dashes[1]?.wake, { mac: 'aa-bb-cc-dd-ee-ff', broadcast: '255.255.255.255' }, 'dashes; broadcast defaults to 255.255.255.255');
});

t.test('a bad wake names the key and the value, exit 2', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ mac: 'aa:bb:cc:dd:ee' }, /`workers\[1\]\.wake\.mac`: expected a MAC address like aa:bb:cc:dd:ee:ff, got `"aa:bb:cc:dd:ee"` \(string\)/],
    [{ mac: 'aa:bb-cc:dd:ee:ff' }, /`workers\[1\]\.wake\.mac`: expected a MAC address/],
    [{ broadcast: '192.168.1.255' }, /`workers\[1\]\.wake\.mac`: expected a MAC address like aa:bb:cc:dd:ee:ff, got `""`/],
    [{ mac: 'aa:bb:cc:dd:ee:ff', broadcast: '192.168.1.256' }, /`workers\[1\]\.wake\.broadcast`: expected an IPv4 broadcast address like 192\.168\.1\.255, got `"192\.168\.1\.256"`/],
    [{ mac: 'aa:bb:cc:dd:ee:ff', broadcast: 'lan.local' }, /`workers\[1\]\.wake\.broadcast`: expected an IPv4 broadcast address/],
    [{ mac: 'aa:bb:cc:dd:ee:ff', broadcast: 9 }, /`workers\[1\]\.wake\.broadcast`: expected a string, got `9` \(number\)/],
    [{ mac: 'aa:bb:cc:dd:ee:ff', port: 7 }, /unknown key `workers\[1\]\.wake\.port`/],
    ['aa:bb:cc:dd:ee:ff', /`workers\[1\]\.wake\.?` must be an object, got `"aa:bb:cc:dd:ee:ff"`/],
  ];
  for (const [wake, pattern] of cases) {
    const error = t.throws(() => validateConfig(worker({ wake }))) as unknown;
    t.ok(isPlexBeamError(error, 'CONFIG_INVALID'), `CONFIG_INVALID for ${JSON.stringify(wake)}`);
    t.match((error as Error).message, pattern);
    t.equal((error as { exitCode: number }).exitCode, 2);
  }
  t.throws(() => validateConfig({ workers: [{ dns: 'pool.svc', apiKey: 'k', wake: { mac: 'aa:bb:cc:dd:ee:ff' } }] }), {
    code: 'CONFIG_INVALID', message: /`workers\[0\]\.wake`: a DNS pool stands for many machines; give wake to a url entry/,
  });
});

t.test('the CLI refuses a config with a bad wake: exit 2, naming the key', async (t) => {
  const dir = t.testdir({});
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ dataDir: join(dir, 'data'), ...worker({ wake: { mac: 'not-a-mac' } }) }));
  const run = spawnSync(BIN, ['status', '--config', config], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir }, encoding: 'utf8', timeout: 20_000 });
  t.equal(run.status, 2, run.stderr);
  t.match(run.stderr, /`workers\[1\]\.wake\.mac`: expected a MAC address like aa:bb:cc:dd:ee:ff, got `"not-a-mac"`/);
});
