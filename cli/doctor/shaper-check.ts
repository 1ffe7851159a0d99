/** `plexbeam doctor`'s shaper checks, when `shaper.interface` is set: tc present, the interface there. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ShaperConfig } from '../../core/config.ts';
import { readShaperSettings } from '../../shaper/settings.ts';
import { fail, pass, type Check } from './check.ts';

/** Checks the shaper's settings, `tc` and the interface; `tcCommand` and `sysNet` are for tests. */
export async function checkShaper(shaper: ShaperConfig, options: { tcCommand?: string; sysNet?: string } = {}): Promise<Check[]> {
  try {
    readShaperSettings(shaper, { requireInterface: true });
  } catch (error) {
    return [fail('shaper.config', (error as Error).message, 'fix the key it names in the config (docs/SHAPER.md)')];
  }
  const checks: Check[] = [pass('shaper.config', `shaping ${shaper.interface}: ceil ${shaper.ceil}, ${shaper.perClient} per viewer, grace ${shaper.grace} s`)];
  const version = await new Promise<string | null>((resolve) =>
    execFile(options.tcCommand ?? 'tc', ['-V'], { timeout: 5000 }, (error, stdout) => resolve(error === null ? stdout.trim() : null)),
  );
  checks.push(version === null ? fail('shaper.tc', 'tc (iproute2) is not installed or does not run', 'apt-get install iproute2') : pass('shaper.tc', version));
  const sysNet = options.sysNet ?? '/sys/class/net';
  checks.push(
    existsSync(`${sysNet}/${shaper.interface}`)
      ? pass('shaper.interface', `${shaper.interface} exists`)
      : fail('shaper.interface', `there is no network interface ${shaper.interface}`, 'set shaper.interface to the egress interface (`ip route get 1.1.1.1` names it)'),
  );
  return checks;
}
