// `plexbeam workers add|list|test|remove` end to end: the built CLI against a real worker, a dead
// URL and a wrong key; the config file rewritten in place (mode kept, `.bak` beside it, formatting kept).
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { API_KEY, BIN } from '../cartridge/helpers.ts';
import { startRealWorker } from '../cartridge/workers.ts';

const dir = realpathSync(t.testdir({ media: {}, tx: {} }));
const worker = await startRealWorker(dir, { mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')] });
t.teardown(() => worker.stop());
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir };

const closed = createServer();
await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
await new Promise((resolve) => closed.close(resolve));

const config = join(dir, 'config.json');
// A hand-written file: 4-space indentation, keys in the user's order, a mode that hides the keys.
const original = `{\n    "logLevel": "warn",\n    "dataDir": "${join(dir, 'data')}",\n    "workers": []\n}\n`;
writeFileSync(config, original, { mode: 0o600 });
// Owned by someone else (a service user), where the test may give it away.
const root = process.getuid?.() === 0;
if (root) chownSync(config, 4321, 4321);
const cli = (...args: string[]) => spawnSync(BIN, ['workers', ...args, '--config', config], { env, encoding: 'utf8', timeout: 20_000 });

t.test('add asks the worker first and records it; mode and formatting kept, the old file as .bak', async (t) => {
  const run = cli('add', worker.url, '--key', API_KEY, '--name', 'gpu');
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout, /added gpu \(http:\/\/127\.0\.0\.1:\d+\): software, encoders [^\n]*libx264/);
  const text = readFileSync(config, 'utf8');
  t.same(JSON.parse(text), { logLevel: 'warn', dataDir: join(dir, 'data'), workers: [{ url: worker.url, apiKey: API_KEY, name: 'gpu' }] });
  t.match(text, /^\{\n {4}"logLevel": "warn",\n {4}"dataDir"/, 'the same indentation and key order');
  t.equal(statSync(config).mode & 0o777, 0o600, 'mode kept');
  if (root) t.same([statSync(config).uid, statSync(config).gid], [4321, 4321], 'owner kept');
  t.equal(readFileSync(`${config}.bak`, 'utf8'), original, 'the previous file beside it');
  t.equal(statSync(`${config}.bak`).mode & 0o777, 0o600, 'the backup is no more readable than the config');
  t.notOk(existsSync(`${config}.${process.pid}.tmp`));
});

t.test('add refuses a dead URL, a wrong key, a missing key and a duplicate, saying why, and leaves the file alone', async (t) => {
  const before = readFileSync(config, 'utf8');
  const dead = cli('add', deadUrl, '--key', API_KEY);
  t.not(dead.status, 0);
  t.match(dead.stderr, /not added: the worker at http:\/\/127\.0\.0\.1:\d+ is unreachable: connection refused/);
  const wrong = cli('add', `http://localhost:${new URL(worker.url).port}`, '--key', 'not-the-key');
  t.not(wrong.status, 0);
  t.match(wrong.stderr, /refuses the key \(401\)/);
  const none = cli('add', `http://localhost:${new URL(worker.url).port}`);
  t.match(none.stderr, /needs an API key \(401\): pass --key/);
  const twice = cli('add', worker.url, '--key', API_KEY);
  t.not(twice.status, 0);
  t.match(twice.stderr, /is configured already \(as gpu\)/);
  const notUrl = cli('add', 'gpu-box', '--key', API_KEY);
  t.match(notUrl.stderr, /gpu-box is not a URL/);
  t.equal(readFileSync(config, 'utf8'), before, 'the config is unchanged');
});

t.test('list and test', async (t) => {
  const list = cli('list', '--json');
  t.equal(list.status, 0);
  t.same(JSON.parse(list.stdout), { workers: [{ name: 'gpu', url: worker.url, weight: 1, key: true }] }, 'no key in the output, only whether one is set');
  t.notMatch(list.stdout, API_KEY);
  const test = cli('test', 'gpu');
  t.equal(test.status, 0, test.stderr);
  t.match(test.stdout, /gpu \(http:\/\/127\.0\.0\.1:\d+\) ok: key accepted, software, encoders/);
  const unknown = cli('test', 'nope');
  t.equal(unknown.status, 1);
  t.match(unknown.stderr, /no worker named nope .*\(configured: gpu\)/);
});

t.test('test says what is wrong with a configured worker that went away', async (t) => {
  const other = join(dir, 'other.json');
  writeFileSync(other, JSON.stringify({ workers: [{ url: deadUrl, name: 'gone' }] }));
  const run = spawnSync(BIN, ['workers', 'test', 'gone', '--config', other], { env, encoding: 'utf8', timeout: 20_000 });
  t.equal(run.status, 1);
  t.match(run.stderr, /gone: the worker at .* is unreachable: connection refused/);
});

t.test('remove takes it out again; an unknown one is an error', async (t) => {
  const run = cli('remove', 'gpu');
  t.equal(run.status, 0, run.stderr);
  t.same(JSON.parse(readFileSync(config, 'utf8')).workers, []);
  t.equal(statSync(config).mode & 0o777, 0o600);
  t.match(JSON.parse(readFileSync(`${config}.bak`, 'utf8')).workers, [{ name: 'gpu' }], 'the backup holds the file before the removal');
  const again = cli('remove', 'gpu');
  t.equal(again.status, 1);
  t.match(again.stderr, /no worker named gpu/);
});
