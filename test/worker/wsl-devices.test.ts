// Under WSL2 the GPU is /dev/dxg (no /dev/nvidia*): NVENC jobs and the probe's test encodes get it
// in their bubblewrap sandbox (backendDevices, a fake /dev).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { backendDevices } from '../../worker/confine/index.ts';

function fakeDev(dir: string, names: string[]): string {
  const dev = join(dir, 'dev');
  mkdirSync(join(dev, 'dri'), { recursive: true });
  for (const name of names) writeFileSync(join(dev, name), '');
  return dev;
}

t.test('WSL2: /dev/dxg is the NVENC device', async (t) => {
  const dev = fakeDev(t.testdir({}), ['dxg', 'dxgkrnl-not-a-device', 'null']);
  t.same(backendDevices({ hwaccel: 'nvenc' }, dev), [join(dev, 'dxg')]);
  t.same(backendDevices({ hwaccel: 'software' }, dev), []);
});

t.test('bare metal: every /dev/nvidia* node, as before', async (t) => {
  const dev = fakeDev(t.testdir({}), ['nvidia0', 'nvidiactl', 'nvidia-uvm', 'null']);
  t.same(backendDevices({ hwaccel: 'nvenc' }, dev), ['nvidia-uvm', 'nvidia0', 'nvidiactl'].map((name) => join(dev, name)));
  t.same(backendDevices({ hwaccel: 'vaapi' }, dev), [join(dev, 'dri')]);
});
