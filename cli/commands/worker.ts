/** `plexbeam worker [--config PATH]`: runs the worker service in the foreground (systemd runs this). */
import { runWorker } from '../../worker/main.ts';
import { loadCommandConfig } from '../context.ts';

/** Loads the config (exit 2 when invalid) and runs the worker until SIGTERM. */
export async function run(args: Record<string, unknown>): Promise<number> {
  return runWorker(loadCommandConfig(args));
}
