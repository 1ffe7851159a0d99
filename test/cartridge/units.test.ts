// The cartridge's small pieces: reading `export -p` (dash, bash, busybox), the shim's text, the
// decision table, worker ranking rules, callback origins, segment names.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { renderShim, isShim } from '../../core/cartridge-shim.ts';
import { callbackOrigins } from '../../cartridge/callback-origins.ts';
import { canEncode } from '../../cartridge/choose-worker.ts';
import { planInvocation } from '../../cartridge/decide.ts';
import { restorePlexEnv, workerEnv } from '../../cartridge/environment.ts';
import { parseExportedEnv } from '../../cartridge/exported-env.ts';
import { segmentNamePattern } from '../../cartridge/first-output.ts';
import { ROOT } from './helpers.ts';

const NASTY: Record<string, string> = {
  PLAIN: 'x',
  SPACES: 'Application Support/Plex Media Server',
  QUOTES: `it's "quoted"`,
  SHELL: '$HOME `id` \\ \\\\ $(x)',
  LINES: 'one\ntwo\n\nthree\n',
  EMPTY: '',
  FFMPEG_EXTERNAL_LIBS: '/config/Library/Application\\ Support/Codecs/',
  UNICODE: 'café ✓',
};

t.test('export -p, as each shell prints it, gives the environment back exactly', async (t) => {
  const shells = [['/bin/sh'], ['/bin/dash'], ['/bin/bash', '--posix'], ['/bin/bash'], ['/bin/busybox', 'sh']].filter(([sh]) => existsSync(sh as string));
  t.ok(shells.length >= 2);
  for (const [sh, ...flags] of shells) {
    // stdin not a socket: bash would take itself for an rsh session and read ~/.bashrc.
    const out = spawnSync(sh as string, [...flags, '-c', 'export -p'], { env: NASTY, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const parsed = parseExportedEnv(out.stdout);
    for (const [name, value] of Object.entries(NASTY)) t.equal(parsed[name], value, `${[sh, ...flags].join(' ')}: ${name}`);
  }
  t.same(parseExportedEnv("export A='1'\nexport OLDPWD\nexport B='2'"), { A: '1', B: '2' }, 'exported without a value: not in the environment');
  t.same(parseExportedEnv('declare -x A="x\\"y"\ngarbage\nexport C=3'), { A: 'x"y' }, 'stops at a line it cannot read');
});

t.test('restorePlexEnv: PLEXBEAM_ENV when the shim set it, else the moved variables put back', async (t) => {
  t.same(restorePlexEnv({ PATH: '/bin', PLEXBEAM_SHIM: '/p', PLEXBEAM_ENV: "export X_PLEX_TOKEN='t'\nexport LD_LIBRARY_PATH='/plex/lib'" }), { X_PLEX_TOKEN: 't', LD_LIBRARY_PATH: '/plex/lib' });
  t.same(restorePlexEnv({ PATH: '/bin', PLEXBEAM_SHIM: '/p', PLEXBEAM_ORIG_LD_LIBRARY_PATH: '/plex/lib' }), { PATH: '/bin', LD_LIBRARY_PATH: '/plex/lib' });
  t.same(workerEnv({ LANG: 'C', X_PLEX_TOKEN: 't', SOME_API_KEY: 'k', PATH: '/bin' }), { LANG: 'C', PATH: '/bin' }, 'no token, nothing named like a secret');
});

t.test('the shim: deterministic, marked, Node with a clean environment, Plex\'s in PLEXBEAM_ENV', async (t) => {
  const options = { nodePath: '/opt/plexbeam/node/bin/node', cartridgeMain: "/opt/it's/dist/cartridge/main.js" };
  const text = renderShim(options);
  t.equal(text, renderShim(options), 'the same options give the same bytes (the watchdog compares md5s)');
  t.ok(isShim(text));
  t.match(text, /^#!\/bin\/sh\n/);
  t.match(text, /PLEXBEAM_ENV=\$\(export -p\)\n/);
  t.match(text, /exec '\/usr\/bin\/env' -i PATH=\S+ PLEXBEAM_SHIM="\$0" PLEXBEAM_ENV="\$PLEXBEAM_ENV" '\/opt\/plexbeam\/node\/bin\/node' '\/opt\/it'"'"'s\/dist\/cartridge\/main\.js' "\$@"/);
  t.equal(spawnSync('/bin/sh', ['-n', '-c', text]).status, 0, 'valid sh');
});

t.test('decisions', async (t) => {
  t.match(planInvocation('video-transcode'), { route: 'remote' });
  t.match(planInvocation('optimize'), { route: 'remote' });
  t.match(planInvocation('remux'), { route: 'local', reason: /remux/, passThrough: false });
  t.match(planInvocation('audio-only'), { route: 'local', reason: /audio-only/ });
  t.match(planInvocation('detection'), { route: 'local', reason: /detection/ });
  t.match(planInvocation('capability-query'), { route: 'local', passThrough: true });
  t.match(planInvocation('unknown'), { route: 'local', passThrough: true });
});

t.test('encoder families, callback origins, segment names', async (t) => {
  t.ok(canEncode(['hevc_nvenc', 'libx264'], 'hevc_vaapi'), 'any HEVC encoder can take an HEVC job');
  t.notOk(canEncode(['libx264'], 'libx265'));
  t.ok(canEncode([], 'copy'));
  t.ok(canEncode([], null));
  t.same([...callbackOrigins(['-progressurl', 'http://127.0.0.1:32400/p', '-i', 'http://user:pw@LOCALHOST:32400/x', 'http://[::1]:32400/y', 'http://10.0.0.5:32400/lan', '-vf', 'subtitles=http://127.0.0.2:1/s'])],
    ['http://127.0.0.1:32400', 'http://LOCALHOST:32400', 'http://[::1]:32400', 'http://127.0.0.2:1']);
  t.ok(segmentNamePattern('media-%05d.ts').test('media-00012.ts'));
  t.notOk(segmentNamePattern('media-%05d.ts').test('media-0001.ts'));
  t.ok(segmentNamePattern('chunk-%d.m4s').test('chunk-7.m4s'));
});

t.test('the start-up code is one bundled file (npm run build), loaded only after the compile cache is on; SQLite in another', async (t) => {
  const run = readFileSync(join(ROOT, 'dist', 'cartridge', 'run.js'), 'utf8');
  t.match(run, /^\/\/ Generated by scripts\/bundle-cartridge\.ts from \d+ modules/, 'dist/cartridge/run.js is the bundle');
  t.notMatch(run, /^import .* from '(?!node:module)/m, 'it imports nothing but node:module statically');
  t.match(run, /import\("\.\/session-log\.js"\)/, 'SQLite still loads lazily, from its own bundle');
  t.match(readFileSync(join(ROOT, 'dist', 'cartridge', 'session-log.js'), 'utf8'), /^\/\/ Generated by scripts\/bundle-cartridge\.ts/);
  const main = readFileSync(join(ROOT, 'dist', 'cartridge', 'main.js'), 'utf8');
  t.match(main, /enableCompileCache[\s\S]*await import\("\.\/run\.js"\)/);
});
