/** `plexbeam cartridge install|uninstall|status [--plex-dir DIR] [--json]`. */
import type { CartridgeChange } from '../../core/cartridge-change.ts';
import { changeEvent, lastRecordedPlexVersion, sessionLogPath } from '../../core/cartridge-events.ts';
import { installCartridge, readCartridgeStatus, uninstallCartridge, type CartridgeStatus } from '../../core/cartridge-install.ts';
import { BROKEN_STATES } from '../../core/cartridge-status.ts';
import { readPlexVersion } from '../../core/cartridge-version.ts';
import type { Config } from '../../core/config.ts';
import { EXIT_FAILURE, EXIT_OK, PlexBeamError } from '../../core/errors.ts';
import { loadCommandConfig } from '../context.ts';

/** A change that met a moving transcoder is tried again this many times before giving up. */
const ATTEMPTS = 3;

/** Runs the action; prints a report (JSON with --json); 1 when the state is broken. */
export async function run(args: Record<string, unknown>): Promise<number> {
  const config = loadCommandConfig(args);
  const json = args.json === true;
  if (args.action === 'status') {
    const status = await readCartridgeStatus(config.plexDir);
    print(json ? JSON.stringify(status, null, 2) : formatStatus(status));
    if (!BROKEN_STATES.has(status.state)) return EXIT_OK;
    if (json) process.stderr.write(`plexbeam: ${status.problem}; to fix: ${status.fix}\n`);
    return EXIT_FAILURE;
  }
  const apply = args.action === 'install' ? installCartridge : uninstallCartridge;
  let change: CartridgeChange | undefined;
  for (let attempt = 1; attempt <= ATTEMPTS && (change === undefined || change.retry); attempt += 1) {
    change = await apply({ plexDir: config.plexDir });
  }
  if (change === undefined || change.retry) {
    throw new PlexBeamError('CARTRIDGE_BUSY', `Plex Transcoder kept changing (is Plex being updated?); try again in a minute`);
  }
  await recordChange(config, change);
  const status = await readCartridgeStatus(config.plexDir);
  if (status.installed && !status.cartridge_main_exists) {
    // Not refused: the files are safe either way, and the build may simply come next.
    process.stderr.write(`plexbeam: warning: the shim runs ${status.cartridge_main}, which does not exist; Plex transcodes fail until PlexBeam is built (npm run build) or \`plexbeam cartridge uninstall\` is run\n`);
  }
  print(json ? JSON.stringify({ action: change.action, changed: change.action !== 'none', message: change.message, status }, null, 2) : `${change.message}\n\n${formatStatus(status)}`);
  return EXIT_OK;
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

/**
 * Records the change in the session log. Best effort: the change itself is done and safe, so a
 * session log that cannot be written (no dataDir yet) is a note on stderr, not a failure.
 */
async function recordChange(config: Config, change: CartridgeChange): Promise<void> {
  if (change.action === 'none') return;
  const path = sessionLogPath(config.dataDir);
  try {
    const { openSessionLog } = await import('../../core/session-log/index.ts');
    const log = openSessionLog(path);
    try {
      const plexVersion = await readPlexVersion(config.plexDir);
      const event = changeEvent(change, { source: 'install', plexVersion, oldPlexVersion: lastRecordedPlexVersion(log) });
      if (event !== null) log.recordEvent(event);
    } finally {
      log.close();
    }
  } catch (error) {
    process.stderr.write(`plexbeam: note: the change was not recorded in ${path}: ${(error as Error).message}\n`);
  }
}

/** The human-readable status. */
export function formatStatus(status: CartridgeStatus): string {
  const headline: Record<CartridgeStatus['state'], string> = {
    installed: 'installed: Plex Transcoder is the PlexBeam shim',
    'not-installed': "not installed: Plex Transcoder is Plex's own binary",
    'plex-updated': 'not installed: Plex replaced the shim with a new binary',
    'transcoder-missing': 'not installed: Plex Transcoder is missing',
    'shim-without-real': "BROKEN: the shim is installed but Plex's binary is missing",
    'real-is-shim': 'BROKEN: Plex Transcoder.real is a shim',
    'no-transcoder': 'no Plex Transcoder here',
    'no-plex-dir': "Plex's folder does not exist",
  };
  const lines = [
    `cartridge:     ${headline[status.state]}`,
    `plex dir:      ${status.plex_dir}`,
    `shim md5:      ${status.shim_md5 === null ? '-' : `${status.shim_md5}${status.shim_current ? '' : ' (written by another PlexBeam install)'}`}`,
    `real md5:      ${status.real_md5 === null ? '-' : `${status.real_md5} (mode ${status.real_mode})`}`,
    `Plex version:  ${status.plex_version ?? 'unknown'}`,
  ];
  if (status.installed && !status.cartridge_main_exists) lines.push(`WARNING: the shim runs ${status.cartridge_main}, which does not exist (build PlexBeam)`);
  if (status.prev_md5 !== null) lines.push(`previous real: ${status.prev_md5} (kept until an update is verified)`);
  if (status.problem !== null) lines.push('', `${status.problem}.`, `To fix: ${status.fix}.`);
  return lines.join('\n');
}
