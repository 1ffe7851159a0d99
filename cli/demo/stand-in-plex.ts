/**
 * A stand-in Plex install for the demo: `Plex Transcoder` is a tiny script running the system
 * ffmpeg (Plex's own binary cannot be here) and `Plex Media Server` answers `--version`; then
 * `plexbeam cartridge install` puts the shim in place, as on a real server, and the script
 * becomes `Plex Transcoder.real`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PlexBeamError } from '../../core/errors.ts';
import { startChild, type Child } from './child.ts';

/** The version the stand-in reports. */
export const STAND_IN_VERSION = '1.41.3.9314-demo';

export interface StandInPlex {
  dir: string;
  /** `<dir>/Plex Transcoder`: the shim once installed. */
  transcoder: string;
}

/** Lays out the stand-in in `dir` and installs the cartridge with the CLI; throws DEMO_FAILED if that fails. */
export async function installStandInPlex(options: { dir: string; ffmpeg: string; node: string; cliMain: string; config: string; env: Record<string, string>; onChild?: (child: Child) => void }): Promise<StandInPlex> {
  const { dir } = options;
  mkdirSync(dir, { recursive: true });
  const transcoder = join(dir, 'Plex Transcoder');
  writeFileSync(transcoder, [
    '#!/bin/sh',
    "# Stand-in for Plex's transcoder (plexbeam demo): runs the system ffmpeg. The demo's config says",
    '# fallbackToLocal: false, so a transcode the worker cannot take fails instead of running here.',
    `exec '${options.ffmpeg.replaceAll("'", `'"'"'`)}' "$@"`,
    '',
  ].join('\n'), { mode: 0o755 });
  writeFileSync(join(dir, 'Plex Media Server'), `#!/bin/sh\n# Stand-in for Plex Media Server (plexbeam demo): answers --version only.\necho "v${STAND_IN_VERSION}"\n`, { mode: 0o755 });
  const child = startChild(options.node, [options.cliMain, 'cartridge', 'install', '--plex-dir', dir, '--config', options.config], { env: options.env });
  options.onChild?.(child);
  const { code } = await child.exited;
  if (code !== 0) {
    throw new PlexBeamError('DEMO_FAILED', `plexbeam cartridge install --plex-dir ${dir} failed (exit ${code}): ${child.stderr().trim().split('\n').at(-1) ?? ''}`);
  }
  return { dir, transcoder };
}
