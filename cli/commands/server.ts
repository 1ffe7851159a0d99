/** `plexbeam server [--config PATH]`: the Plex-side daemon (fleet health cache) in the foreground. */
import { loadCommandConfig } from '../context.ts';

/** Loads the config, then runs the server (loaded only now) until SIGTERM/SIGINT. */
export async function run(args: Record<string, unknown>): Promise<number> {
  const config = loadCommandConfig(args);
  const { runServer } = await import('../../server/main.ts');
  return runServer(config);
}
