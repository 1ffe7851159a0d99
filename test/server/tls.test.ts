// TLS: the worker serves HTTPS with a certificate (openssl, self-signed); `workers add` pins its
// SHA-256 fingerprint (trust on first use); plexbeam-server, `workers test` and the cartridge
// (health, dispatch, link) connect only when the certificate is the pinned one.
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { FleetCache } from '../../core/fleet-cache.ts';
import { normalizeFingerprint } from '../../core/tls-pin.ts';
import { API_KEY, BIN, installShim, makeMedia, plexEnv, readSessions, runShim, until, writeConfig } from '../cartridge/helpers.ts';
import { startRealWorker } from '../cartridge/workers.ts';
import { spawnServer } from './helpers.ts';

const dir = realpathSync(t.testdir({ media: {}, tx: { s: {} } }));
const cert = join(dir, 'cert.pem');
const key = join(dir, 'key.pem');
const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=plexbeam-worker', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
if (made.status !== 0) throw new Error(`openssl could not make a certificate: ${made.stderr}`);
const expected = normalizeFingerprint(spawnSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', cert], { encoding: 'utf8' }).stdout.split('=')[1] ?? '');
const IN = makeMedia(join(dir, 'media', 'in.mkv'), 1);
const worker = await startRealWorker(dir, { mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')], tlsCert: cert, tlsKey: key });
t.teardown(() => worker.stop());
const port = new URL(worker.url).port;
const url = `https://127.0.0.1:${port}`;
const wrong = `AA:${expected.slice(3)}` === expected ? `BB:${expected.slice(3)}` : `AA:${expected.slice(3)}`;
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir };

t.test('the worker answers over HTTPS, not plain HTTP', async (t) => {
  const plain = await fetch(`http://127.0.0.1:${port}/health`).then(() => 'answered', (e: Error & { cause?: { code?: string } }) => e.cause?.code ?? e.message);
  t.not(plain, 'answered', 'plain HTTP gets no answer');
  const curl = spawnSync('curl', ['-sk', `${url}/health`], { encoding: 'utf8' });
  if (curl.status === 0) t.match(JSON.parse(curl.stdout), { status: 'ok' });
});

const config = join(dir, 'config.json');
writeFileSync(config, JSON.stringify({ dataDir: join(dir, 'data'), workers: [] }));
const cli = (...args: string[]) => spawnSync(BIN, [...args, '--config', config], { env, encoding: 'utf8', timeout: 20_000 });

t.test('workers add pins the certificate it is shown; workers test checks it', async (t) => {
  const add = cli('workers', 'add', url, '--key', API_KEY, '--name', 'tls');
  t.equal(add.status, 0, add.stderr);
  t.match(add.stdout, `pinned its certificate, SHA-256 ${expected}`);
  t.match(JSON.parse(readFileSync(config, 'utf8')).workers, [{ url, name: 'tls', fingerprint: expected }]);
  const test = cli('workers', 'test', 'tls');
  t.equal(test.status, 0, test.stderr);
  // doctor reaches it over the pinned connection too, and says how it is protected.
  const doctor = JSON.parse(cli('doctor', '--json').stdout) as { checks: { name: string; ok: boolean; detail: string }[] };
  t.match(doctor.checks.find((c) => c.name === 'worker.tls.reachable'), { ok: true });
  t.match(doctor.checks.find((c) => c.name === 'worker.tls.tls'), { ok: true, detail: `HTTPS, certificate pinned (SHA-256 ${expected})` });
  // Another name for the same worker, with a fingerprint that is not its certificate's.
  const doc = JSON.parse(readFileSync(config, 'utf8'));
  doc.workers.push({ url: `https://localhost:${port}`, apiKey: API_KEY, name: 'impostor', fingerprint: wrong });
  writeFileSync(config, JSON.stringify(doc));
  const refused = cli('workers', 'test', 'impostor');
  t.equal(refused.status, 1);
  t.match(refused.stderr, /impostor: the worker at https:\/\/localhost:\d+ is unreachable: certificate fingerprint mismatch: the worker shows SHA-256 [0-9A-F:]+, AA|BB/);
});

t.test('plexbeam-server: the pinned worker up, the wrong fingerprint down, saying why', async (t) => {
  const fleetFile = join(dir, 'fleet.json');
  const doc = JSON.parse(readFileSync(config, 'utf8'));
  const serverConfig = join(dir, 'server.json');
  writeFileSync(serverConfig, JSON.stringify({ ...doc, server: { fleetFile, probeIntervalMs: 200, listen: '127.0.0.1:0' } }));
  const { logs } = spawnServer(t, serverConfig, env);
  const cache = await until(() => {
    try {
      return JSON.parse(readFileSync(fleetFile, 'utf8')) as FleetCache;
    } catch {
      return undefined;
    }
  }, 10_000, 'the fleet cache');
  t.match(cache.workers, [{ name: 'tls', up: true, health: { status: 'ok' } }, { name: 'impostor', up: false, lastError: /certificate fingerprint mismatch/ }]);
});

t.test('the cartridge: health, dispatch and link over a pinned connection; a wrong pin falls back', async (t) => {
  const plex = await installShim(dir);
  const cwd = join(dir, 'tx', 's');
  const argv = (out: string) => ['-i', IN, '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-f', 'mp4', out];
  const run = async (out: string, fingerprint: string) => {
    const shimConfig = writeConfig(dir, { workers: [{ url, apiKey: API_KEY, name: 'tls', fingerprint }], healthTimeoutMs: 2000, server: { fleetFile: join(dir, 'no-cache.json') } });
    const result = await runShim(plex, argv(out), { env: plexEnv({ PLEXBEAM_CONFIG: shimConfig, PLEXBEAM_FAKE_REAL_MODE: 'ffmpeg' }), cwd });
    return { result, row: (await readSessions(dir)).find((r) => r.argv.includes(out)) };
  };
  const pinned = await run('pinned.mp4', expected);
  t.equal(pinned.result.code, 0, pinned.result.stderr);
  t.match(pinned.row, { decision: 'remote', worker: 'tls', exitCode: 0 });
  const refused = await run('refused.mp4', wrong);
  t.equal(refused.result.code, 0, 'ran on Plex\'s transcoder instead');
  t.match(refused.row, { decision: 'fallback', reason: /tls unreachable \(CERT_FINGERPRINT_MISMATCH\)/ });
  // analyze's feasibility asks it live over the pinned connection as well (the plays above made the session log).
  const feasibility = cli('analyze', '--remote-feasibility', '--json');
  t.equal(feasibility.status, 0, feasibility.stderr);
  t.match(JSON.stringify(JSON.parse(feasibility.stdout)), /"worker":"tls","url":"https:\/\/127\.0\.0\.1:\d+","configured":true,"source":"live"/);
});
