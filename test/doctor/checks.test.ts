/** doctor's checks one by one: services (a fake systemctl), the session log's permissions, the local worker, sample paths, the checklist. */
import { chmodSync, chownSync, mkdirSync, realpathSync, writeFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { toReport, fail, pass } from '../../cli/doctor/check.ts';
import { mayWrite, readUserIds } from '../../cli/doctor/file-access.ts';
import { formatReport } from '../../cli/doctor/format.ts';
import { checkLocalWorker } from '../../cli/doctor/local-worker-check.ts';
import { findSamplePaths, plexDataDir } from '../../cli/doctor/plex-paths.ts';
import { checkServices, type Systemctl } from '../../cli/doctor/services-check.ts';
import { checkSessionLog } from '../../cli/doctor/session-log-check.ts';
import { isCompatibleVersion } from '../../cli/doctor/worker-checks.ts';
import { validateConfig } from '../../core/config.ts';
import type { WorkerConfig } from '../../core/config.ts';
import { openSessionLog } from '../../core/session-log/index.ts';

const isRoot = process.getuid?.() === 0;

/** A systemctl that answers `show` from a table of units. */
function fakeSystemctl(units: Record<string, Record<string, string>>): Systemctl {
  return async (args) => {
    const unit = (args.at(-1) ?? '').replace(/\.service$/, '');
    const props = units[unit] ?? { LoadState: 'not-found', ActiveState: 'inactive' };
    return Object.entries(props).map(([key, value]) => `${key}=${value}`).join('\n');
  };
}

t.test('services: installed units must be active and enabled; units not installed are not reported', async (t) => {
  const running = { LoadState: 'loaded', ActiveState: 'active', SubState: 'running', UnitFileState: 'enabled', StatusText: '1/2 jobs, nvenc (h264_nvenc)', NRestarts: '0', Result: 'success' };
  let checks = await checkServices(fakeSystemctl({ 'plexbeam-worker': running }));
  t.same(checks, [pass('service.plexbeam-worker', 'active (running), enabled: 1/2 jobs, nvenc (h264_nvenc)')]);

  checks = await checkServices(fakeSystemctl({
    'plexbeam-worker': { ...running, ActiveState: 'failed', SubState: 'failed', Result: 'exit-code', StatusText: '', NRestarts: '10' },
    'plexbeam-watchdog': { ...running, UnitFileState: 'disabled', StatusText: 'watching' },
  }));
  t.match(checks, [
    { name: 'service.plexbeam-worker', ok: false, detail: 'failed (failed), enabled after exit-code; restarted 10 times', fix: /journalctl -u plexbeam-worker .*sudo systemctl restart plexbeam-worker/ },
    { name: 'service.plexbeam-watchdog', ok: false, detail: /will not start at boot/, fix: 'sudo systemctl enable plexbeam-watchdog' },
  ]);
  t.same(await checkServices(fakeSystemctl({})), []);
  t.same(await checkServices(fakeSystemctl({ 'plexbeam-server': { ...running, StatusText: '2 workers up · 1 transcoding' } })), [pass('service.plexbeam-server', 'active (running), enabled: 2 workers up · 1 transcoding')], 'plexbeam-server too');
});

t.test("mayWrite judges another user's access from owner, group and mode", async (t) => {
  const file = (uid: number, gid: number, mode: number, dir = false) => ({ uid, gid, mode, isDirectory: () => dir }) as unknown as Stats;
  const plex = { name: 'plex', uid: 999, gids: [999, 44] };
  t.ok(mayWrite(file(999, 0, 0o644), plex), 'owner with u+w');
  t.notOk(mayWrite(file(0, 999, 0o644), plex), 'group without g+w');
  t.ok(mayWrite(file(0, 999, 0o664), plex), 'group with g+w');
  t.notOk(mayWrite(file(0, 0, 0o664), plex), 'other without o+w');
  t.ok(mayWrite(file(0, 44, 0o2775, true), plex), 'a folder needs write and search');
  t.notOk(mayWrite(file(0, 44, 0o2760, true), plex), 'write without search is not enough for a folder');
  t.ok(mayWrite(file(0, 0, 0o600), { name: 'root', uid: 0, gids: [0] }), 'root writes anything');
});

t.test('readUserIds: a user that exists, and one that does not', async (t) => {
  const root = await readUserIds('root');
  t.match(root, { name: 'root', uid: 0 });
  t.ok(root?.gids.includes(0));
  t.equal(await readUserIds('no-such-user-plexbeam'), null);
});

t.test("session log: schema, our access and Plex's user's access", { skip: isRoot ? false : 'needs root to chown' }, async (t) => {
  const dir = realpathSync(t.testdir({ data: {} }));
  const data = join(dir, 'data');
  const plex = { name: 'plex', uid: 4242, gids: [4242] };
  t.match(await checkSessionLog(join(dir, 'missing'), plex), { ok: false, detail: /dataDir .*missing does not exist/, fix: /mkdir -p/ });
  chmodSync(data, 0o755);
  t.match(await checkSessionLog(data, plex), { ok: false, detail: /Plex's user \(plex\) cannot write .*data \(owner 0:0, mode 0755\)/, fix: /chgrp -R plex/ });
  chownSync(data, 0, 4242);
  chmodSync(data, 0o2775);
  t.match(await checkSessionLog(data, plex), { ok: true, detail: /does not exist yet .*also by Plex's user/ });
  openSessionLog(join(data, 'sessions.db')).close();
  t.match(await checkSessionLog(data, plex), { ok: false, detail: /cannot write .*sessions\.db \(owner 0:4242, mode 0644\): the cartridge cannot record sessions/ });
  chmodSync(join(data, 'sessions.db'), 0o664);
  t.match(await checkSessionLog(data, plex), { ok: true, detail: /sessions\.db: schema \d+ \(current\), 0 sessions; writable, also by Plex's user/ });
  t.match(await checkSessionLog(data, null), { ok: true, detail: /writable$/ });
});

t.test('session log: a file that is not a session log fails with a fix', async (t) => {
  const dir = realpathSync(t.testdir({ 'sessions.db': 'not a database, not at all, no' }));
  t.match(await checkSessionLog(dir, null), { ok: false, detail: /cannot open session log/, fix: /move it aside/ });
});

t.test('the local worker: key, roots and ffmpeg', async (t) => {
  const dir = realpathSync(t.testdir({ media: {}, tx: {} }));
  const worker = (fields: Record<string, unknown>) => (validateConfig({ worker: fields }).worker as WorkerConfig);
  const good = await checkLocalWorker(worker({ apiKey: 'k', mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')] }), '/etc/plexbeam/config.json');
  t.match(good, [{ name: 'worker-config', ok: true }, { name: 'ffmpeg', ok: true, detail: /^ffmpeg version / }]);
  const bad = await checkLocalWorker(worker({ ffmpegPath: join(dir, 'no-ffmpeg'), transcodeRoots: [join(dir, 'gone')] }), '/etc/plexbeam/config.json');
  t.match(bad, [
    { name: 'worker-config', ok: false, detail: /worker\.apiKey is empty.*worker\.mediaRoots is empty.*missing here: .*gone/, fix: /edit worker in \/etc\/plexbeam\/config\.json/ },
    { name: 'ffmpeg', ok: false, detail: /no-ffmpeg does not run/, fix: /apt-get install ffmpeg/ },
  ]);
});

t.test("sample paths: Plex's transcode folder, its libraries, recent sessions, pathMap; existing ones only", async (t) => {
  const dir = realpathSync(t.testdir({ 'a&b': {}, lib: {}, film: { 'x.mkv': '' }, mapped: {}, support: { 'Plex Media Server': {} } }));
  const data = join(dir, 'support', 'Plex Media Server');
  writeFileSync(join(data, 'Preferences.xml'), `<Preferences TranscoderTempDirectory="${dir}/a&amp;b"/>`);
  const sessionLog = join(dir, 'sessions.db');
  const log = openSessionLog(sessionLog);
  const insert = log.db.prepare("INSERT INTO sessions (id, started_at, argv, env_names, cwd, kind, input_path) VALUES (?, ?, '[]', '[]', '/', 'transcode', ?)");
  insert.run('s1', 1, join(dir, 'film', 'x.mkv'));
  insert.run('s2', 2, join(dir, 'film', 'gone.mkv'));
  log.close();
  const samples = findSamplePaths({ plexDataDir: data, sessionLog, pathMap: [{ from: join(dir, 'mapped') }, { from: '/no/such/plex/path' }] });
  t.same(samples, [
    { path: join(dir, 'a&b'), use: 'transcode', source: 'Plex setting TranscoderTempDirectory' },
    { path: join(dir, 'film', 'x.mkv'), use: 'media', source: 'a recent session' },
    { path: join(dir, 'mapped'), use: 'media', source: 'worker.pathMap' },
  ]);
  mkdirSync(join(data, 'Cache', 'Transcode'), { recursive: true });
  writeFileSync(join(data, 'Preferences.xml'), '<Preferences/>');
  t.match(findSamplePaths({ plexDataDir: data, sessionLog: join(dir, 'none.db'), pathMap: [] }), [{ path: join(data, 'Cache', 'Transcode'), source: "Plex's default transcode folder" }]);
  t.equal(plexDataDir({}), '/var/lib/plexmediaserver/Library/Application Support/Plex Media Server');
  t.equal(plexDataDir({ PLEX_MEDIA_SERVER_APPLICATION_SUPPORT_DIR: '/srv/plex' }), '/srv/plex/Plex Media Server');
});

t.test('versions: the same major, and the same minor while the major is 0', async (t) => {
  t.ok(isCompatibleVersion('0.1.0', '0.1.7'));
  t.notOk(isCompatibleVersion('0.2.0', '0.1.0'));
  t.ok(isCompatibleVersion('1.4.0', '1.0.2'));
  t.notOk(isCompatibleVersion('2.0.0', '1.9.9'));
  t.notOk(isCompatibleVersion('unknown', '0.1.0'));
});

t.test('the checklist: ok and FAIL lines aligned, the fix under each failure, a summary', async (t) => {
  const report = toReport([pass('config', 'valid'), fail('worker.gpu.auth', 'refused', 'set the key')]);
  t.equal(report.ok, false);
  t.equal(formatReport(report), [
    'plexbeam doctor',
    '',
    '  ok    config           valid',
    '  FAIL  worker.gpu.auth  refused',
    '                         fix: set the key',
    '',
    '1 of 2 checks failed: fix them, then run plexbeam doctor again.',
    '',
  ].join('\n'));
  t.match(formatReport(toReport([pass('config', 'valid')])), 'All 1 checks passed.');
});
