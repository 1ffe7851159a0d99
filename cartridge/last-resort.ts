/**
 * Runs Plex's transcoder when the cartridge itself failed (its bundle did not load, or an
 * unexpected exception) before anything reached Plex. Loaded only then, apart from the bundle,
 * and needing nothing but the shim's environment: no config, no session row.
 */
import { restorePlexEnv } from './environment.ts';
import { realTranscoderPath, runReal, type ChildFate } from './local.ts';
import type { StopSignals } from './signals.ts';

/** Runs `Plex Transcoder.real` with the identical argv, env and cwd; resolves with its fate (127/126 when it cannot start). */
export async function runRealAsLastResort(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string, signals: StopSignals): Promise<ChildFate> {
  const real = realTranscoderPath(env.PLEXBEAM_SHIM, '/usr/lib/plexmediaserver');
  const fate = await runReal(real, argv, restorePlexEnv(env), cwd, signals, env.PLEXBEAM_SHIM).fate;
  if (fate.error === undefined) return fate;
  process.stderr.write(`plexbeam: cannot run ${real}: ${fate.error.message}\n`);
  return { code: (fate.error as NodeJS.ErrnoException).code === 'ENOENT' ? 127 : 126, signal: null };
}
