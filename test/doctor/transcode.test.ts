/**
 * `plexbeam doctor --transcode` end to end: the built CLI, a real worker that sees the Plex
 * side's transcode folder only through its pathMap (the Plex side reaches the storage by another
 * name, as over NFS), and the cartridge's own dispatch. Per worker: ok with first segment and
 * speed, or the reason; and nothing is left behind in the transcode folder.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { findOnPath } from '../../cli/demo/tools.ts';
import { API_KEY, BIN, startWorker } from '../worker/helpers.ts';

const PATH = process.env.PATH ?? '/usr/bin:/bin';
if (findOnPath('ffmpeg', PATH) === null || findOnPath('ffprobe', PATH) === null) {
  t.plan(0, 'ffmpeg and ffprobe are needed on PATH');
  process.exit(0);
}

const dir = realpathSync(t.testdir({ storage: { transcode: {} }, elsewhere: {}, data: {}, plex: {} }));
// The Plex side names the storage `plex-view`; the worker names it `storage`.
symlinkSync(join(dir, 'storage'), join(dir, 'plex-view'));
const plexTranscode = join(dir, 'plex-view', 'transcode');
const support = join(dir, 'support');
mkdirSync(join(support, 'Plex Media Server'), { recursive: true });
writeFileSync(join(support, 'Plex Media Server', 'Preferences.xml'), `<?xml version="1.0" encoding="utf-8"?>\n<Preferences TranscoderTempDirectory="${plexTranscode}"/>\n`);

const worker = await startWorker(dir, {
  hwaccel: 'software',
  transcodeRoots: [join(dir, 'storage', 'transcode')],
  pathMap: [{ from: join(dir, 'plex-view'), to: join(dir, 'storage') }],
});
t.teardown(() => worker.stop());

interface Check { name: string; ok: boolean; detail: string; fix: string | null }

async function doctor(args: string[]) {
  const config = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(config, JSON.stringify({
    plexDir: join(dir, 'plex'), dataDir: join(dir, 'data'),
    workers: [{ url: worker.base, apiKey: API_KEY, name: 'gpu', storage: 'shared' }, { url: worker.base, apiKey: 'not-the-key', name: 'wrong-key' }],
  }));
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(BIN, ['doctor', '--config', config, '--json', ...args], {
      encoding: 'utf8', timeout: 240_000, env: { PATH, PLEX_MEDIA_SERVER_APPLICATION_SUPPORT_DIR: support },
    }, (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }));
  });
  const checks = (JSON.parse(result.stdout) as { checks: Check[] }).checks;
  return { ...result, check: (name: string) => checks.find((c) => c.name === name) };
}

t.test("--transcode in Plex's transcode folder: the worker that sees it passes, the one that refuses the key says why", async (t) => {
  const { code, check, stderr } = await doctor(['--transcode']);
  t.equal(code, 1, 'doctor fails: one worker cannot transcode');
  const good = check('worker.gpu.transcode');
  t.equal(good?.ok, true, `${good?.detail} ${stderr}`);
  t.match(good?.detail, /encoder libx264, first segment in \d+ ms, (\d+) segments \(media-00000\.ts reads back\), \d+ callbacks relayed, \d+\.\d× realtime/);
  const segments = Number(/(\d+) segments/.exec(good?.detail ?? '')?.[1]);
  t.ok(segments >= 2, `${segments} segments`);
  const bad = check('worker.wrong-key.transcode');
  t.equal(bad?.ok, false);
  t.match(bad?.detail, /HLS transcode through the cartridge failed: .*no worker could take the job: wrong-key .*(401|unauthori[sz]ed|key)/i);
  t.match(bad?.fix, 'worker.pathMap');
  t.same(readdirSync(join(dir, 'storage', 'transcode')), [], "doctor's clip and session folders are gone");
});

t.test('--transcode-dir a folder the worker cannot see: the check names the refusal', async (t) => {
  const { check } = await doctor(['--transcode-dir', join(dir, 'elsewhere')]);
  const good = check('worker.gpu.transcode');
  t.equal(good?.ok, false);
  t.match(good?.detail, /no worker could take the job: gpu /);
  t.match(good?.fix, join(dir, 'elsewhere'));
  t.same(readdirSync(join(dir, 'elsewhere')), []);
});

t.test('--transcode-dir that does not exist: one transcode check with the fix', async (t) => {
  const { check } = await doctor(['--transcode-dir', join(dir, 'missing')]);
  t.match(check('transcode'), { ok: false, detail: /missing \(--transcode-dir\) does not exist/, fix: /--transcode-dir DIR/ });
});
