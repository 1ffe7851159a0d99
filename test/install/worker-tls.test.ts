/**
 * The worker's certificate as install.sh makes it (scripts/worker-tls.sh, run here in a temporary
 * folder: no root install, no systemd): its files and modes, the fingerprint it prints, a second
 * run that keeps it; then a real worker serving HTTPS with it, added on the Plex side with the
 * exact `plexbeam workers add … --fingerprint …` line install.sh prints, and refused with a wrong one.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { API_KEY, BIN } from '../cartridge/helpers.ts';
import { startRealWorker } from '../cartridge/workers.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const script = join(root, 'scripts', 'worker-tls.sh');
const group = spawnSync('id', ['-gn'], { encoding: 'utf8' }).stdout.trim();
const hasOpenssl = spawnSync('sh', ['-c', 'command -v openssl']).status === 0;

/** Runs `. scripts/worker-tls.sh; CODE` in /bin/sh with "$@" = args. */
const sh = (code: string, args: string[], path = process.env.PATH ?? '/usr/bin:/bin') => {
  const result = spawnSync('/bin/sh', ['-c', `. "${script}"; ${code}`, 'sh', ...args], { encoding: 'utf8', env: { PATH: path } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};
const opensslFingerprint = (cert: string) => spawnSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', cert], { encoding: 'utf8' }).stdout.trim().replace(/^[^=]*=/, '');
const state = (path: string) => {
  const s = statSync(path);
  const content = s.isDirectory() ? readdirSync(path).sort().join(' ') : createHash('md5').update(readFileSync(path)).digest('hex');
  return `${(s.mode & 0o7777).toString(8)} ${s.gid} ${s.mtimeMs} ${content}`;
};

t.test('no openssl: nothing is written, and install.sh is told so (keeps plain HTTP)', async (t) => {
  const dir = join(t.testdir({}), 'tls');
  const result = sh('plexbeam_tls_ensure "$1" "$2"', [dir, group], '/nonexistent');
  t.equal(result.code, 1);
  t.equal(result.stdout, '');
  t.notOk(existsSync(dir), 'no folder made');
});

t.test('the add line names the worker by its address, or by this machine\'s name on 0.0.0.0', async (t) => {
  t.equal(sh('plexbeam_tls_add_line "$@"', ['10.0.0.5', '8765', 'K', 'AB:CD']).stdout, 'plexbeam workers add https://10.0.0.5:8765 --key K --fingerprint AB:CD\n');
  t.equal(sh('plexbeam_tls_add_line "$@"', ['fe80::1', '8765', 'K', 'AB']).stdout, 'plexbeam workers add https://[fe80::1]:8765 --key K --fingerprint AB\n');
  const name = spawnSync('sh', ['-c', 'hostname -f 2>/dev/null || hostname'], { encoding: 'utf8' }).stdout.trim();
  t.equal(sh('plexbeam_tls_add_line "$@"', ['0.0.0.0', '8765', 'K', 'AB']).stdout, `plexbeam workers add https://${name}:8765 --key K --fingerprint AB\n`);
});

t.test('a certificate for the worker, and a real worker serving HTTPS with it', { skip: hasOpenssl ? false : 'openssl is not installed' }, async (t) => {
  const dir = realpathSync(t.testdir({ media: {}, tx: {} }));
  const tls = join(dir, 'tls');
  const cert = join(tls, 'worker.crt');
  const key = join(tls, 'worker.key');
  const first = sh('plexbeam_tls_ensure "$1" "$2" && plexbeam_tls_fingerprint "$1/worker.crt"', [tls, group]);
  t.equal(first.code, 0, first.stderr);
  const [made, fingerprint = ''] = first.stdout.trim().split('\n');
  t.equal(made, 'made');
  t.equal((statSync(tls).mode & 0o7777).toString(8), '750', 'the folder: 0750');
  t.equal((statSync(key).mode & 0o7777).toString(8), '640', 'the key: 0640, readable by the group (the worker user), nobody else');
  t.equal((statSync(cert).mode & 0o7777).toString(8), '644', 'the certificate: 0644');
  const gid = Number(spawnSync('id', ['-g'], { encoding: 'utf8' }).stdout.trim());
  t.equal(statSync(key).gid, gid, `the key belongs to the group ${group}`);
  t.match(readFileSync(key, 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
  t.match(fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  t.equal(fingerprint, opensslFingerprint(cert), 'the fingerprint printed is openssl x509 -fingerprint -sha256 of the certificate');

  const before = [state(cert), state(key), state(tls)];
  const again = sh('plexbeam_tls_ensure "$1" "$2" && plexbeam_tls_fingerprint "$1/worker.crt"', [tls, group]);
  t.equal(again.stdout, `kept\n${fingerprint}\n`, 'a second run keeps it');
  t.same([state(cert), state(key), state(tls)], before, '... untouched: modes, owners, mtimes, contents');

  // The worker configured as install.sh writes it: worker.tlsCert and worker.tlsKey.
  const worker = await startRealWorker(dir, { mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')], tlsCert: cert, tlsKey: key });
  t.teardown(() => worker.stop());
  const port = new URL(worker.url).port;
  const plain = await fetch(`http://127.0.0.1:${port}/health`).then(() => 'answered', () => 'refused');
  t.equal(plain, 'refused', 'it does not answer plain HTTP');

  // The Plex side, with the exact line install.sh prints (plexbeam is the built CLI here).
  const config = join(dir, 'plex.json');
  writeFileSync(config, JSON.stringify({ dataDir: join(dir, 'data'), workers: [] }));
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir };
  const cli = (args: string[]) => spawnSync(BIN, [...args, '--config', config], { env, encoding: 'utf8', timeout: 20_000 });
  const line = sh('plexbeam_tls_add_line "$@"', ['127.0.0.1', port, API_KEY, fingerprint]).stdout.trim();
  t.equal(line, `plexbeam workers add https://127.0.0.1:${port} --key ${API_KEY} --fingerprint ${fingerprint}`);
  const words = line.split(' ');
  t.equal(words[0], 'plexbeam');

  const wrong = `${fingerprint.startsWith('AA') ? 'BB' : 'AA'}${fingerprint.slice(2)}`;
  const refused = cli([...words.slice(1, -1), wrong.toLowerCase()]);
  t.equal(refused.status, 1, 'a wrong --fingerprint: not added');
  t.match(refused.stderr, `not added: the worker at https://127.0.0.1:${port} shows a certificate with SHA-256 ${fingerprint}, not ${wrong} (--fingerprint)`);
  t.same(JSON.parse(readFileSync(config, 'utf8')).workers, [], '... and the config is unchanged');

  const added = cli(words.slice(1));
  t.equal(added.status, 0, added.stderr);
  t.match(added.stdout, `pinned its certificate, SHA-256 ${fingerprint}`);
  t.match(JSON.parse(readFileSync(config, 'utf8')).workers, [{ url: `https://127.0.0.1:${port}`, apiKey: API_KEY, fingerprint }]);
  const tested = cli(['workers', 'test', `127.0.0.1:${port}`]);
  t.equal(tested.status, 0, tested.stderr);
  t.match(tested.stdout, /ok: key accepted/);

  const usage = cli(['workers', 'add', `http://127.0.0.1:${port}`, '--key', API_KEY, '--fingerprint', fingerprint]);
  t.equal(usage.status, 2, '--fingerprint with an http:// URL is a usage error');
  t.match(usage.stderr, '--fingerprint pins a certificate: the URL must be https://');
});
