import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const bin = fileURLToPath(new URL('../../bin/plexbeam', import.meta.url));

/** Runs the built CLI as a user would, with a scrubbed environment. */
function plexbeam(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(bin, args, {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    cwd: t.testdirName,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

t.before(() => {
  t.testdir({});
});

t.test('--help lists every command of SPEC', async (t) => {
  const { code, stdout } = plexbeam(['--help']);
  t.equal(code, 0);
  for (const command of ['demo', 'worker', 'watchdog', 'cartridge <action>', 'analyze', 'probe', 'doctor']) {
    t.match(stdout, `plexbeam ${command}`);
  }
});

t.test('every command answers --help with exit 0', async (t) => {
  for (const command of [['demo'], ['worker'], ['watchdog'], ['cartridge', 'status'], ['analyze'], ['probe'], ['doctor']]) {
    const { code, stdout } = plexbeam([...command, '--help']);
    t.equal(code, 0, `${command.join(' ')} --help`);
    t.match(stdout, `plexbeam ${command[0]}`);
  }
  t.match(plexbeam(['analyze', '--help']).stdout, '--remote-feasibility');
  t.match(plexbeam(['cartridge', 'status', '--help']).stdout, '--plex-dir');
  t.match(plexbeam(['doctor', '--help']).stdout, '--transcode-dir');
});

t.test('bad usage exits 2 with a message on stderr', async (t) => {
  for (const args of [[], ['frobnicate'], ['cartridge', 'explode'], ['analyze', '--patterns', '--events'], ['analyze', '--detail'], ['probe', '--bogus']]) {
    const { code, stderr } = plexbeam(args);
    t.equal(code, 2, `plexbeam ${args.join(' ')}`);
    t.match(stderr, /^plexbeam: /);
  }
});

t.test('an invalid config is exit 2 naming the key', async (t) => {
  const config = join(t.testdir({}), 'bad.json');
  writeFileSync(config, JSON.stringify({ worker: { port: 'eighty' } }));
  for (const env of [{ PLEXBEAM_CONFIG: config }, {}] as Record<string, string>[]) {
    const args = 'PLEXBEAM_CONFIG' in env ? ['doctor'] : ['doctor', '--config', config];
    const { code, stderr } = plexbeam(args, env);
    t.equal(code, 2);
    t.match(stderr, '`worker.port`: expected an integer, got `"eighty"` (string)');
  }
  const missing = plexbeam(['doctor', '--config', join(t.testdirName, 'missing.json')]);
  t.equal(missing.code, 2);
  t.match(missing.stderr, 'cannot read config file');
});
