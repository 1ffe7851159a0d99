// What a cartridge test starts does not outlive it: a test file that dies of an uncaught error,
// or is SIGKILLed (tap's timeout), takes its children with it (helpers.ts spawnOwned).
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ROOT, processesWith, until } from './helpers.ts';

const dir = t.testdir();
const marker = `plexbeam-hygiene-${process.pid}`;

/** Runs a stand-in test file that starts `sleep` through spawnOwned, then ends as `how` says; resolves with the sleeper's pid. */
async function standIn(how: 'throw' | 'hang') {
  const file = join(dir, `${how}.ts`);
  writeFileSync(file, [
    `import { spawnOwned } from ${JSON.stringify(join(ROOT, 'test', 'cartridge', 'helpers.ts'))};`,
    `const sleeper = spawnOwned(process.execPath, ['-e', 'setInterval(() => undefined, 1000)', '${marker}-${how}'], { stdio: 'ignore' });`,
    `process.stdout.write(String(sleeper.pid) + '\\n');`,
    how === 'throw' ? `setTimeout(() => { throw new Error('a test failing midway'); }, 1000);` : 'setInterval(() => undefined, 1000);',
  ].join('\n'));
  const proc = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.teardown(() => proc.kill('SIGKILL'));
  let out = '';
  proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const pid = await until(() => (/^\d+\n/.test(out) ? Number(out.trim()) : undefined), 20_000, 'the stand-in started its child');
  return { proc, pid };
}

const alive = (pid: number) => processesWith(marker).includes(pid);

t.test('a test file that dies of an uncaught error: its children are killed on exit', async (t) => {
  const { proc, pid } = await standIn('throw');
  t.ok(alive(pid), 'the child runs');
  await new Promise((resolve) => proc.once('exit', resolve));
  t.ok(await until(() => (alive(pid) ? undefined : true), 5000, 'the child is gone').catch(() => false), 'nothing left running');
});

t.test('a test file SIGKILLed (no handler runs): its children get the parent-death signal', { skip: existsSync('/usr/bin/setpriv') ? false : 'needs setpriv (util-linux)' }, async (t) => {
  const { proc, pid } = await standIn('hang');
  t.ok(alive(pid), 'the child runs');
  proc.kill('SIGKILL');
  t.ok(await until(() => (alive(pid) ? undefined : true), 5000, 'the child is gone').catch(() => false), 'nothing left running');
});

t.teardown(() => {
  for (const pid of processesWith(marker)) process.kill(pid, 'SIGKILL');
});
