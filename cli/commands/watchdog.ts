/** `plexbeam watchdog [--config PATH] [--plex-dir DIR]`: the watchdog in the foreground. */
import { loadCommandConfig } from '../context.ts';

/** Loads the config, then runs the watchdog (loaded only now) until SIGTERM/SIGINT. */
export async function run(args: Record<string, unknown>): Promise<number> {
  const config = loadCommandConfig(args);
  const { runWatchdog } = await import('../../watchdog/main.ts');
  return runWatchdog(config);
}
