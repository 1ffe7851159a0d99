/** doctor's shaper checks: tc present and the interface there, only when the shaper is configured. */
import { join } from 'node:path';
import t from 'tap';
import { checkShaper } from '../../cli/doctor/shaper-check.ts';
import { validateConfig, type ShaperConfig } from '../../core/config.ts';

const base = validateConfig({}).shaper as ShaperConfig;

t.test('passes with tc and the interface present', async (t) => {
  const sysNet = t.testdir({ eth7: {} });
  const checks = await checkShaper({ ...base, interface: 'eth7' }, { sysNet });
  t.same(checks.map((c) => [c.name, c.ok]), [['shaper.config', true], ['shaper.tc', true], ['shaper.interface', true]]);
  t.match(checks[1]?.detail, /iproute2/);
});

t.test('says how to fix a missing tc, a missing interface, a bad rate', async (t) => {
  const sysNet = t.testdir({});
  const checks = await checkShaper({ ...base, interface: 'eth7' }, { sysNet, tcCommand: join(sysNet, 'no-tc') });
  t.match(checks.find((c) => c.name === 'shaper.tc'), { ok: false, fix: /iproute2/ });
  t.match(checks.find((c) => c.name === 'shaper.interface'), { ok: false, detail: /no network interface eth7/ });
  const bad = await checkShaper({ ...base, interface: 'eth7', ceil: 'lots' });
  t.match(bad, [{ name: 'shaper.config', ok: false, detail: /shaper\.ceil/ }]);
});
