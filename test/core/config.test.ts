import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { CONFIG_SCHEMA, type ObjectSpec } from '../../core/config-schema.ts';
import { loadConfig, validateConfig } from '../../core/config.ts';
import { isPlexBeamError } from '../../core/errors.ts';

const noEnv = {};

let fileCount = 0;

function configFile(t: Test, content: unknown): string {
  // t.testdir() is one folder per test: give each file its own name.
  const path = join(t.testdirName, `config-${++fileCount}.json`);
  mkdirSync(t.testdirName, { recursive: true });
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

t.test('defaults apply when the default file is absent', async (t) => {
  const config = loadConfig({ env: { PLEXBEAM_CONFIG: '' }, path: undefined });
  // /etc/plexbeam/config.json does not exist on test machines.
  t.equal(config.source, null);
  t.equal(config.plexDir, '/usr/lib/plexmediaserver');
  t.equal(config.dataDir, '/var/lib/plexbeam');
  t.equal(config.logDir, '/var/log/plexbeam');
  t.equal(config.healthTimeoutMs, 500);
  t.equal(config.fallbackToLocal, true);
  t.same(config.workers, []);
  t.equal(config.worker.port, 8765);
  t.equal(config.worker.hwaccel, 'auto');
  t.ok(Object.isFrozen(config) && Object.isFrozen(config.worker) && Object.isFrozen(config.worker.mediaRoots));
});

t.test('file values override defaults; --config beats PLEXBEAM_CONFIG', async (t) => {
  const a = configFile(t, { plexDir: '/a', workers: [{ url: 'http://127.0.0.1:1', apiKey: 'k' }], worker: { port: 9000, pathMap: [{ from: '/x', to: '/y' }] } });
  const b = configFile(t, { plexDir: '/b' });
  const fromEnv = loadConfig({ env: { PLEXBEAM_CONFIG: a } });
  t.equal(fromEnv.plexDir, '/a');
  t.equal(fromEnv.source, a);
  // Defaults filled in (more keys may follow: match, not same).
  t.match(fromEnv.workers, [{ url: 'http://127.0.0.1:1', dns: '', port: 8765, apiKey: 'k', name: '', weight: 1, fingerprint: '' }]);
  t.equal(fromEnv.workers.length, 1);
  t.equal(fromEnv.worker.port, 9000);
  t.equal(fromEnv.worker.maxJobs, 2, 'nested defaults kept');
  t.same(fromEnv.worker.pathMap, [{ from: '/x', to: '/y' }]);
  t.equal(loadConfig({ path: b, env: { PLEXBEAM_CONFIG: a } }).plexDir, '/b');
  t.equal(loadConfig({ path: b, env: noEnv, overrides: { plexDir: '/flag' } }).plexDir, '/flag');
});

t.test('PLEXBEAM_LOG_LEVEL overrides the file and is validated', async (t) => {
  const path = configFile(t, { logLevel: 'warn' });
  t.equal(loadConfig({ path, env: {} }).logLevel, 'warn');
  t.equal(loadConfig({ path, env: { PLEXBEAM_LOG_LEVEL: 'debug' } }).logLevel, 'debug');
  t.throws(() => loadConfig({ path, env: { PLEXBEAM_LOG_LEVEL: 'loud' } }), /PLEXBEAM_LOG_LEVEL.*one of trace/);
});

t.test('errors name the key and exit 2', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ plexDri: '/x' }, /unknown key `plexDri`/],
    [{ worker: { prot: 1 } }, /unknown key `worker\.prot`/],
    [{ healthTimeoutMs: '500' }, /`healthTimeoutMs`: expected an integer, got `"500"` \(string\)/],
    [{ healthTimeoutMs: 0 }, /`healthTimeoutMs`: expected an integer from 1 to 60000/],
    [{ fallbackToLocal: 'yes' }, /`fallbackToLocal`: expected true or false/],
    [{ worker: { hwaccel: 'cuda' } }, /`worker\.hwaccel`: expected one of auto, nvenc, qsv, vaapi, software/],
    [{ workers: [{ apiKey: 'k' }] }, /missing required key `workers\[0\]\.url`/],
    [{ workers: {} }, /`workers`: expected an array of objects/],
    [{ worker: { mediaRoots: ['/ok', 3] } }, /`worker\.mediaRoots`: expected an array of non-empty strings/],
    [[], /the config must be an object/],
  ];
  for (const [raw, pattern] of cases) {
    const error = t.throws(() => validateConfig(raw)) as unknown;
    t.ok(isPlexBeamError(error, 'CONFIG_INVALID'), `CONFIG_INVALID for ${JSON.stringify(raw)}`);
    t.match((error as Error).message, pattern);
    t.equal((error as { exitCode: number }).exitCode, 2);
  }
});

t.test('unreadable or invalid files are clear errors', async (t) => {
  const missing = join(t.testdir({}), 'nope.json');
  t.throws(() => loadConfig({ path: missing, env: noEnv }), { code: 'CONFIG_NOT_FOUND', exitCode: 2, message: new RegExp(`cannot read config file ${missing}`) });
  t.throws(() => loadConfig({ env: { PLEXBEAM_CONFIG: missing } }), { code: 'CONFIG_NOT_FOUND' });
  t.throws(() => loadConfig({ path: configFile(t, '{ "plexDir": '), env: noEnv }), { code: 'CONFIG_INVALID_JSON', exitCode: 2 });
});

t.test('README documents every config key', async (t) => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const keys: string[] = [];
  const walk = (spec: ObjectSpec, prefix: string) => {
    for (const [key, field] of Object.entries(spec)) {
      keys.push(prefix + key);
      if (field.kind === 'object') walk(field.fields, `${prefix}${key}.`);
    }
  };
  walk(CONFIG_SCHEMA, '');
  for (const key of keys) t.match(readme, `| \`${key}\``, `README table has ${key}`);
});
