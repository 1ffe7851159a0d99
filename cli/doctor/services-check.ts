/** The systemd units' state: each installed PlexBeam unit must be enabled and active. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fail, pass, type Check } from './check.ts';

/** Runs `systemctl ARGS…` and resolves with its stdout (never rejects). */
export type Systemctl = (args: string[]) => Promise<string>;

export const UNITS = ['plexbeam-worker', 'plexbeam-watchdog', 'plexbeam-server'] as const;

/** The real systemctl when this machine runs systemd, else null (then there is nothing to check). */
export function findSystemctl(): Systemctl | null {
  if (!existsSync('/run/systemd/system')) return null;
  return (args) =>
    new Promise((resolve) => {
      execFile('systemctl', args, { timeout: 5000, encoding: 'utf8' }, (_error, stdout) => resolve(stdout ?? ''));
    });
}

/** `systemctl show` properties of a unit. */
export async function showUnit(systemctl: Systemctl, unit: string): Promise<Record<string, string>> {
  const text = await systemctl(['show', '--property=LoadState,ActiveState,SubState,UnitFileState,StatusText,NRestarts,Result', `${unit}.service`]);
  const properties: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) properties[line.slice(0, at)] = line.slice(at + 1);
  }
  return properties;
}

/** One check per installed unit (`service.<unit>`); units not installed are not reported. */
export async function checkServices(systemctl: Systemctl): Promise<Check[]> {
  const checks: Check[] = [];
  for (const unit of UNITS) {
    const p = await showUnit(systemctl, unit);
    if (p.LoadState !== 'loaded') continue;
    const state = `${p.ActiveState} (${p.SubState}), ${p.UnitFileState}`;
    const status = p.StatusText ? `: ${p.StatusText}` : '';
    const restarts = Number(p.NRestarts) > 0 ? `; restarted ${p.NRestarts} times` : '';
    if (p.ActiveState !== 'active') {
      const why = p.Result && p.Result !== 'success' ? ` after ${p.Result}` : '';
      checks.push(fail(`service.${unit}`, `${state}${why}${status}${restarts}`, `journalctl -u ${unit} -n 50 says why; fix it, then: sudo systemctl restart ${unit}`));
    } else if (p.UnitFileState !== 'enabled') {
      checks.push(fail(`service.${unit}`, `${state}: it will not start at boot`, `sudo systemctl enable ${unit}`));
    } else {
      checks.push(pass(`service.${unit}`, `${state}${status}${restarts}`));
    }
  }
  return checks;
}
