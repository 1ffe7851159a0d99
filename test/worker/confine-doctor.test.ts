// plexbeam doctor's worker-confinement check: a tiny command really run under bubblewrap.
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { checkLocalConfinement } from '../../cli/doctor/confinement-check.ts';

const bwrapWorks = spawnSync('bwrap', ['--unshare-all', '--ro-bind', '/', '/', 'true']).status === 0;

t.test('no bwrap on PATH: fails, saying the worker will refuse to start, with the fix', async (t) => {
  const check = await checkLocalConfinement({ confinement: 'auto' }, '/etc/plexbeam/config.json', { PATH: t.testdir({}) });
  t.match(check, { name: 'worker-confinement', ok: false, detail: /"auto" and the worker will refuse to start: bubblewrap \(bwrap\) is not installed/, fix: /apt-get install bubblewrap.*"unconfined"/ });
});

t.test('unconfined where bubblewrap cannot work is accepted, and says UNCONFINED', async (t) => {
  const check = await checkLocalConfinement({ confinement: 'unconfined' }, '/etc/plexbeam/config.json', { PATH: t.testdir({}) });
  t.match(check, { ok: true, detail: /^UNCONFINED/ });
});

t.test('where bubblewrap works', { skip: bwrapWorks ? false : 'bubblewrap cannot run here' }, async (t) => {
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin' };
  t.match(await checkLocalConfinement({ confinement: 'auto' }, '/c.json', env), { ok: true, detail: /^confined by bubblewrap.*\(checked as/ });
  t.match(await checkLocalConfinement({ confinement: 'unconfined' }, '/c.json', env), { ok: false, detail: /"unconfined" although bubblewrap works/, fix: /"auto" in \/c\.json/ });
});
