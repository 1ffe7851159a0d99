// DNS pools: a `workers` entry `{ "dns", "port" }` stands for every address its name resolves to,
// re-resolved each probe round. The name lives in /etc/hosts for the test (three addresses, two
// real workers), so it needs root; the built `plexbeam server` probes them, the cartridge's
// worker choice reads the pool's members from the cache.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { checkWorkers } from '../../cartridge/choose-worker.ts';
import { loadConfig, validateConfig } from '../../core/config.ts';
import type { FleetCache } from '../../core/fleet-cache.ts';
import { API_KEY, BIN, until } from '../cartridge/helpers.ts';
import { startRealWorker } from '../cartridge/workers.ts';
import { spawnServer } from './helpers.ts';

t.test('a worker entry is a url or a DNS pool, exactly one', async (t) => {
  t.throws(() => validateConfig({ workers: [{ apiKey: 'k' }] }), { code: 'CONFIG_INVALID', message: /missing required key `workers\[0\]\.url` \(or `dns` for a DNS pool\)/ });
  t.throws(() => validateConfig({ workers: [{ url: 'http://a:1', dns: 'a' }] }), { message: /`workers\[0\]`: expected url or dns, not both/ });
  t.match((validateConfig({ workers: [{ dns: 'pool.svc', port: 9000 }] }).workers as unknown[])[0], { dns: 'pool.svc', port: 9000, url: 'http://pool.svc:9000' }, "a pool's url names it");
});

const HOSTS = '/etc/hosts';
const writable = (() => {
  try {
    accessSync(HOSTS, constants.W_OK);
    return process.getuid?.() === 0;
  } catch {
    return false;
  }
})();

t.test('the server probes every address of the name, and follows the name as it changes', { skip: writable ? false : 'needs root and a writable /etc/hosts (the test names a pool there)' }, async (t) => {
  const name = `plexbeam-pool-${process.pid}.test`;
  const line = (address: string) => `${address} ${name}`;
  const setHosts = (addresses: string[]) => {
    // Only this test's lines change; everything else in the file stays as it is.
    const others = readFileSync(HOSTS, 'utf8').split('\n').filter((l) => !l.endsWith(` ${name}`)).join('\n');
    writeFileSync(HOSTS, `${others}${others === '' || others.endsWith('\n') ? '' : '\n'}${addresses.map((a) => `${line(a)}\n`).join('')}`);
  };
  t.teardown(() => setHosts([]));
  setHosts(['127.0.0.2', '127.0.0.3', '127.0.0.4']);

  // One port for the whole pool, free on 127.0.0.2 and .3.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.2', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  const dir = realpathSync(t.testdir({ media: {}, tx: {}, a: {}, b: {} }));
  const roots = { mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')] };
  const [a, b] = await Promise.all([startRealWorker(join(dir, 'a'), { ...roots, host: '127.0.0.2', port }), startRealWorker(join(dir, 'b'), { ...roots, host: '127.0.0.3', port })]);
  t.teardown(() => Promise.all([a.stop(), b.stop()]));

  const fleetFile = join(dir, 'fleet.json');
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ dataDir: join(dir, 'data'), workers: [{ dns: name, port, apiKey: API_KEY, name: 'pool' }], server: { fleetFile, probeIntervalMs: 200, listen: '127.0.0.1:0' } }));
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir };
  const { logs } = spawnServer(t, config, env);
  const read = () => {
    try {
      return JSON.parse(readFileSync(fleetFile, 'utf8')) as FleetCache;
    } catch {
      return undefined;
    }
  };
  const cache = await until(() => (read()?.workers.length === 3 ? read() : undefined), 10_000, 'three pool members in the cache');
  t.same(cache.workers.map((w) => [w.name, w.url, w.pool, w.up]), [
    ['pool/127.0.0.2', `http://127.0.0.2:${port}`, name, true],
    ['pool/127.0.0.3', `http://127.0.0.3:${port}`, name, true],
    ['pool/127.0.0.4', `http://127.0.0.4:${port}`, name, false],
  ]);
  t.match(cache.workers[2]!.lastError, /connection refused/);

  const status = spawnSync(BIN, ['status', '--json', '--config', config], { env, encoding: 'utf8', timeout: 20_000 });
  t.equal(status.status, 0, status.stderr);
  t.same(JSON.parse(status.stdout).workers.map((w: { name: string; up: boolean }) => [w.name, w.up]), [['pool/127.0.0.2', true], ['pool/127.0.0.3', true], ['pool/127.0.0.4', false]]);

  // The cartridge's choice: the pool's members from the fresh cache, with the pool's key.
  const entries = loadConfig({ path: config, env: {} }).workers;
  const results = await checkWorkers(entries, 500, fleetFile);
  t.same(results.map((r) => [r.worker.name, r.worker.url, r.worker.apiKey, 'health' in r]), [
    ['pool/127.0.0.2', `http://127.0.0.2:${port}`, API_KEY, true],
    ['pool/127.0.0.3', `http://127.0.0.3:${port}`, API_KEY, true],
    ['pool/127.0.0.4', `http://127.0.0.4:${port}`, API_KEY, false],
  ]);
  // Without a cache, the cartridge resolves the name itself and asks each address.
  const live = await checkWorkers(entries, 1000, join(dir, 'no-cache.json'));
  t.same(live.map((r) => [r.worker.name, 'health' in r]), [['pool/127.0.0.2', true], ['pool/127.0.0.3', true], ['pool/127.0.0.4', false]]);

  // The name changes (a replica scaled away): the next rounds follow it, nothing to restart.
  setHosts(['127.0.0.3']);
  // (A round may read /etc/hosts while it is being rewritten, and see no address at all: wait past it.)
  const after = await until(() => {
    const now = read();
    return now?.workers.length === 1 && now.workers[0]!.name === 'pool/127.0.0.3' && now.workers[0]!.up ? now : undefined;
  }, 10_000, 'the pool to shrink to one');
  t.match(after.workers, [{ name: 'pool/127.0.0.3', up: true, pool: name }]);
});
