/**
 * `plexbeam doctor` end to end: the built CLI against a real worker process, a stand-in Plex
 * folder, Plex's data (Preferences.xml and a library database) and a session log. Each test
 * plants one misconfiguration and checks that doctor names it, says how to fix it, and exits 1.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { API_KEY, BIN, startWorker } from '../worker/helpers.ts';

const dir = realpathSync(
  t.testdir({
    'plex-side': { media: { movies: { 'film.mkv': 'not really a film' }, tv: {} }, transcode: {}, elsewhere: {} },
    'worker-side': { media: { movies: { 'film.mkv': 'not really a film' } }, transcode: {}, elsewhere: {} },
    data: {},
  }),
);
const plexSide = join(dir, 'plex-side');
const workerSide = join(dir, 'worker-side');

// Plex's folder: the cartridge is installed in `plex`, not in `plex-bare`.
for (const name of ['plex', 'plex-bare']) {
  mkdirSync(join(dir, name));
  writeFileSync(join(dir, name, 'Plex Transcoder'), '#!/bin/sh\necho stand-in\n', { mode: 0o755 });
  writeFileSync(join(dir, name, 'Plex Media Server'), '#!/bin/sh\necho 1.41.3.9314-a0bfb8370\n', { mode: 0o755 });
}

/** Plex's data folder with its transcode setting and library folders; returns the env var's value. */
function plexData(name: string, transcode: string, libraries: string[]): string {
  const support = join(dir, name);
  const data = join(support, 'Plex Media Server');
  mkdirSync(join(data, 'Plug-in Support', 'Databases'), { recursive: true });
  writeFileSync(join(data, 'Preferences.xml'), `<?xml version="1.0" encoding="utf-8"?>\n<Preferences MachineIdentifier="x" TranscoderTempDirectory="${transcode}"/>\n`);
  const db = new Database(join(data, 'Plug-in Support', 'Databases', 'com.plexapp.plugins.library.db'));
  db.exec('CREATE TABLE section_locations (id INTEGER PRIMARY KEY, library_section_id INTEGER, root_path TEXT)');
  for (const path of libraries) db.prepare('INSERT INTO section_locations (root_path) VALUES (?)').run(path);
  db.close();
  return support;
}

const goodPlexData = plexData('plexdata-good', join(plexSide, 'transcode'), [join(plexSide, 'media', 'movies')]);

const worker = await startWorker(dir, {
  hwaccel: 'software',
  mediaRoots: [join(workerSide, 'media')],
  transcodeRoots: [join(workerSide, 'transcode')],
  pathMap: [{ from: plexSide, to: workerSide }],
});
t.teardown(() => worker.stop());

interface Report {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string; fix: string | null }[];
}

/**
 * Writes a config (the Plex side's) and runs `plexbeam doctor --json` with it. Asynchronously:
 * a fake worker in this process must keep answering meanwhile.
 */
async function doctor(config: Record<string, unknown>, options: { plexData?: string; args?: string[] } = {}) {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify({ plexDir: join(dir, 'plex'), dataDir: join(dir, 'data'), workers: [{ url: worker.base, apiKey: API_KEY, name: 'gpu' }], ...config }));
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(BIN, ['doctor', '--config', path, ...(options.args ?? ['--json'])], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PLEX_MEDIA_SERVER_APPLICATION_SUPPORT_DIR: options.plexData ?? goodPlexData },
      timeout: 60_000,
    }, (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }));
  });
  const report = options.args === undefined ? (JSON.parse(result.stdout) as Report) : null;
  const check = (name: string) => report?.checks.find((c) => c.name === name);
  return { ...result, report, check };
}

/**
 * Whether the cartridge is built: without dist/cartridge/main.js the shim would break every
 * transcode, and doctor says so, so the baseline's cartridge check depends on it.
 */
const cartridgeBuilt = existsSync(join(BIN, '..', '..', 'dist', 'cartridge', 'main.js'));

/** A port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

t.before(() => {
  // The baseline has the cartridge installed (which also creates the session log).
  const config = join(dir, 'install-config.json');
  writeFileSync(config, JSON.stringify({ plexDir: join(dir, 'plex'), dataDir: join(dir, 'data') }));
  const result = spawnSync(BIN, ['cartridge', 'install', '--config', config], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  if (result.status !== 0) throw new Error(`cartridge install failed: ${result.stderr}`);
});

t.test('a good set-up: every check passes, exit 0', async (t) => {
  const { code, report, check, stderr } = await doctor({});
  t.equal(code, cartridgeBuilt ? 0 : 1, stderr);
  t.equal(report?.ok, cartridgeBuilt);
  for (const name of ['config', 'worker.gpu.reachable', 'worker.gpu.version', 'worker.gpu.hardware', 'worker.gpu.auth', 'worker.gpu.paths', 'session-log']) {
    t.equal(check(name)?.ok, true, `${name}: ${check(name)?.detail}`);
  }
  if (!cartridgeBuilt) {
    t.match(check('cartridge'), { ok: false, detail: /runs .*dist\/cartridge\/main\.js, which is missing: every transcode would fail/ });
    return;
  }
  t.equal(check('cartridge')?.ok, true, check('cartridge')?.detail ?? 'no cartridge check');
  t.match(check('worker.gpu.paths')?.detail, 'sees all 2 Plex paths', "Plex's transcode folder and its library folder were both asked about");
  t.match(check('worker.gpu.hardware')?.detail, /^software \(/);
  t.match(check('cartridge')?.detail, /installed in .*; Plex 1\.41\.3\.9314-a0bfb8370/);
  t.match(check('session-log')?.detail, /schema \d+ \(current\)/);
  for (const c of report?.checks ?? []) t.match(c, { name: String, ok: Boolean, detail: String, fix: c.ok ? null : String });
});

t.test('a wrong API key: the auth check fails and says where the key is', async (t) => {
  const { code, check } = await doctor({ workers: [{ url: worker.base, apiKey: 'not-the-key', name: 'gpu' }] });
  t.equal(code, 1);
  t.equal(check('worker.gpu.reachable')?.ok, true, 'the worker is reachable all the same');
  t.match(check('worker.gpu.auth'), { ok: false, detail: 'the worker refused workers[0].apiKey (HTTP 401)', fix: /set workers\[0\]\.apiKey .*worker\.apiKey/ });
});

t.test('an unreachable worker: the reachable check fails with the reason', async (t) => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  const { code, check, report } = await doctor({ workers: [{ url, apiKey: API_KEY, name: 'gone' }] });
  t.equal(code, 1);
  t.match(check('worker.gone.reachable'), { ok: false, detail: /connection refused/, fix: /systemctl start plexbeam-worker/ });
  t.notOk(report?.checks.some((c) => c.name.startsWith('worker.gone.') && c.name !== 'worker.gone.reachable'), 'the later worker checks are moot');
  t.equal(check('session-log')?.ok, true, 'the other checks still run');
});

t.test('a library folder the worker cannot see: the paths check names it', async (t) => {
  const data = plexData('plexdata-tv', join(plexSide, 'transcode'), [join(plexSide, 'media', 'movies'), join(plexSide, 'media', 'tv')]);
  const { code, check } = await doctor({ workers: [{ url: worker.base, apiKey: API_KEY, name: 'gpu', storage: 'shared' }] }, { plexData: data });
  t.equal(code, 1);
  const paths = check('worker.gpu.paths');
  t.equal(paths?.ok, false);
  t.match(paths?.detail, `${join(plexSide, 'media', 'tv')} (a Plex library folder; on the worker ${join(workerSide, 'media', 'tv')}): does not exist on the worker`);
  t.notMatch(paths?.detail, 'movies', 'the folder it does see is not listed');
  t.match(paths?.fix, 'worker.pathMap');
});

t.test("Plex's transcode folder outside the worker's transcodeRoots: the paths check names it", async (t) => {
  const data = plexData('plexdata-elsewhere', join(plexSide, 'elsewhere'), [join(plexSide, 'media', 'movies')]);
  const { code, check } = await doctor({ workers: [{ url: worker.base, apiKey: API_KEY, name: 'gpu', storage: 'shared' }] }, { plexData: data });
  t.equal(code, 1);
  t.match(check('worker.gpu.paths')?.detail, `${join(plexSide, 'elsewhere')} (Plex setting TranscoderTempDirectory; on the worker ${join(workerSide, 'elsewhere')}): outside worker.mediaRoots and worker.transcodeRoots`);
});

t.test('storage auto (the default) with a folder the worker cannot see: jobs stream, and doctor says so and why', async (t) => {
  const data = plexData('plexdata-stream', join(plexSide, 'transcode'), [join(plexSide, 'media', 'movies'), join(plexSide, 'media', 'tv')]);
  const { check } = await doctor({}, { plexData: data });
  t.match(check('worker.gpu.paths'), { ok: true, detail: /^not needed, jobs stream \(auto, and the worker does not see every Plex path\): .*media\/tv .*does not exist on the worker/ });
  t.match(check('worker.gpu.storage'), { ok: true, detail: /^streamed: auto, and the worker does not see every Plex path/ });
  const shared = await doctor({});
  t.match(shared.check('worker.gpu.storage'), { ok: true, detail: 'shared: auto, and the worker sees the Plex paths checked' });
});

t.test('the cartridge not installed: the cartridge check fails with the command that fixes it', async (t) => {
  const { code, check } = await doctor({ plexDir: join(dir, 'plex-bare') });
  t.equal(code, 1);
  t.match(check('cartridge'), { ok: false, detail: /not installed in .*plex-bare \(Plex 1\.41\.3\.9314-a0bfb8370\)/, fix: 'sudo plexbeam cartridge install' });
  t.equal(check('worker.gpu.auth')?.ok, true);
});

t.test('no Plex folder where plexDir says: the cartridge check fails', async (t) => {
  const { code, check } = await doctor({ plexDir: join(dir, 'no-such-plex') });
  t.equal(code, 1);
  t.match(check('cartridge'), { ok: false, detail: /no-such-plex does not exist/, fix: /plexDir/ });
});

t.test('a Plex machine with no workers configured', async (t) => {
  const { code, check } = await doctor({ workers: [] });
  t.equal(code, 1);
  t.match(check('workers'), { ok: false, detail: /no workers/, fix: /"url"/ });
});

t.test('a worker of an incompatible version, and one that needs no key', async (t) => {
  const { createServer: createHttpServer } = await import('node:http');
  const fake = createHttpServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/health') return res.end(JSON.stringify({ status: 'ok', version: '7.0.0', hwaccel: 'nvenc', encoders: ['h264_nvenc'], jobs: { running: 1, queued: 0, max: 4 } }));
    res.end(JSON.stringify({ results: [] }));
  });
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => fake.close(resolve)));
  const url = `http://127.0.0.1:${(fake.address() as { port: number }).port}`;
  const { code, check } = await doctor({ workers: [{ url, apiKey: 'anything', name: 'old' }] });
  t.equal(code, 1);
  t.match(check('worker.old.version'), { ok: false, detail: /worker 7\.0\.0, this machine \d+\.\d+\.\d+: not compatible/, fix: /same PlexBeam release/ });
  t.match(check('worker.old.hardware'), { ok: true, detail: 'nvenc (h264_nvenc)' });
  t.match(check('worker.old.auth'), { ok: false, detail: /accepts requests without an API key/ });
});

t.test('the checklist for people: ok/FAIL lines, a fix under each failure, a summary', async (t) => {
  const { code, stdout } = await doctor({ workers: [{ url: worker.base, apiKey: 'wrong', name: 'gpu' }] }, { args: [] });
  t.equal(code, 1);
  t.match(stdout, /^ {2}ok {4}config {2,}/m);
  t.match(stdout, /^ {2}FAIL {2}worker\.gpu\.auth +the worker refused/m);
  t.match(stdout, /^ +fix: set workers\[0\]\.apiKey/m);
  t.match(stdout, cartridgeBuilt ? /1 of \d+ checks failed/ : /2 of \d+ checks failed/);
});

t.test('an invalid config: a failed config check on stdout, the error on stderr, exit 2', async (t) => {
  const path = join(dir, 'bad.json');
  writeFileSync(path, JSON.stringify({ workers: [{ apiKey: 'x' }] }));
  const result = spawnSync(BIN, ['doctor', '--json', '--config', path], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  t.equal(result.status, 2);
  t.match(JSON.parse(result.stdout), { ok: false, checks: [{ name: 'config', ok: false, detail: /missing required key `workers\[0\]\.url`/, fix: String }] });
  t.match(result.stderr, /^plexbeam: invalid config/);
});
