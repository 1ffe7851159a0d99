/**
 * `plexbeam doctor`'s checks, in checklist order: the config, each worker, the cartridge, the
 * session log, the systemd units, and on a worker machine its own worker config and ffmpeg.
 * Which checks apply follows from this machine: a Plex folder, workers in the config or the
 * watchdog unit make it a server; the worker unit makes it a worker.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sessionLogPath } from '../../core/cartridge-events.ts';
import { appRoot, defaultShimOptions } from '../../core/cartridge-paths.ts';
import type { ShimOptions } from '../../core/cartridge-shim.ts';
import { DEFAULT_CONFIG_PATH, type Config } from '../../core/config.ts';
import { checkCartridge } from './cartridge-check.ts';
import { fail, pass, toReport, type Check, type DoctorReport } from './check.ts';
import { readUserIds, type UserIds } from './file-access.ts';
import { checkLocalConfinement } from './confinement-check.ts';
import { checkLocalWorker } from './local-worker-check.ts';
import { findSamplePaths, plexDataDir } from './plex-paths.ts';
import { checkServices, showUnit, UNITS, type Systemctl } from './services-check.ts';
import { checkSessionLog } from './session-log-check.ts';
import { checkShaper } from './shaper-check.ts';
import { checkTranscodes } from './transcode-check.ts';
import { checkWorker } from './worker-checks.ts';

/** How long doctor waits for each worker request, in milliseconds (5 seconds). */
export const DOCTOR_TIMEOUT_MS = 5000;

/** Plex's user on Debian/Ubuntu (the plexmediaserver package creates it). */
export const PLEX_USER = 'plex';

export interface DoctorDeps {
  config: Config;
  env: NodeJS.ProcessEnv;
  /** null where this machine does not run systemd. */
  systemctl: Systemctl | null;
  /** This PlexBeam's version (default: package.json's). */
  version?: string;
  timeoutMs?: number;
  shim?: ShimOptions;
  /** Plex's user, or null (default: looked up). */
  plexUser?: UserIds | null;
  /** `--transcode`: run a test transcode on each worker, in `dir` (default: Plex's transcode folder). */
  transcode?: { dir?: string };
}

/** Runs every check that applies here and returns the report. */
export async function runDoctor(deps: DoctorDeps): Promise<DoctorReport> {
  const { config } = deps;
  const installed = deps.systemctl === null ? [] : await installedUnits(deps.systemctl);
  const server = installed.includes('plexbeam-watchdog') || existsSync(config.plexDir) || config.workers.length > 0;
  const sessionLog = sessionLogPath(config.dataDir);
  const checks: Check[] = [checkConfig(config)];
  if (server && config.workers.length === 0) {
    checks.push(fail('workers', 'no workers in the config: the cartridge runs every transcode on this machine', `add { "url": "http://<worker>:8765", "apiKey": "<its worker.apiKey>" } to workers in ${configPath(config)}`));
  }
  if (config.workers.length > 0) {
    const samples = findSamplePaths({ plexDataDir: plexDataDir(deps.env), sessionLog, pathMap: config.worker.pathMap });
    const options = { version: deps.version ?? readVersion(), timeoutMs: deps.timeoutMs ?? DOCTOR_TIMEOUT_MS, samples };
    const perWorker = await Promise.all(config.workers.map((entry, index) => checkWorker(entry, index, options)));
    checks.push(...perWorker.flat());
    if (deps.transcode !== undefined) {
      const dir = deps.transcode.dir ?? samples.find((sample) => sample.use === 'transcode')?.path ?? null;
      const dirSource = deps.transcode.dir !== undefined ? '--transcode-dir' : "Plex's transcode folder";
      checks.push(...(await checkTranscodes({ config, dir, dirSource, env: deps.env })));
    }
  }
  if (server) {
    checks.push(await checkCartridge(config.plexDir, deps.shim ?? defaultShimOptions()));
    const plexUser = deps.plexUser === undefined ? await readUserIds(PLEX_USER) : deps.plexUser;
    checks.push(await checkSessionLog(config.dataDir, plexUser));
  } else if (existsSync(sessionLog)) {
    checks.push(await checkSessionLog(config.dataDir, null));
  }
  if (config.shaper.interface !== '') checks.push(...(await checkShaper(config.shaper)));
  if (deps.systemctl !== null) checks.push(...(await checkServices(deps.systemctl)));
  if (installed.includes('plexbeam-worker')) checks.push(...(await checkLocalWorker(config.worker, configPath(config))));
  if (installed.includes('plexbeam-worker')) checks.push(await checkLocalConfinement(config.worker, configPath(config), deps.env));
  return toReport(checks);
}

function checkConfig(config: Config): Check {
  const workers = `${config.workers.length} worker${config.workers.length === 1 ? '' : 's'}`;
  if (config.source === null) return pass('config', `no config file (${DEFAULT_CONFIG_PATH}): the defaults apply; ${workers}; plexDir ${config.plexDir}`);
  return pass('config', `${config.source} is valid; ${workers}; plexDir ${config.plexDir}; dataDir ${config.dataDir}`);
}

function configPath(config: Config): string {
  return config.source ?? DEFAULT_CONFIG_PATH;
}

async function installedUnits(systemctl: Systemctl): Promise<string[]> {
  const loaded = await Promise.all(UNITS.map(async (unit) => ((await showUnit(systemctl, unit)).LoadState === 'loaded' ? unit : null)));
  return loaded.filter((unit): unit is (typeof UNITS)[number] => unit !== null);
}

/** The version in this install's package.json. */
function readVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(appRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
