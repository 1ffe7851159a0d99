/** `plexbeam worker [--config PATH]`: runs the worker service in the foreground (systemd runs this); `worker drain|resume` talk to the running one. */
import { runWorker } from '../../worker/main.ts';
import { loadCommandConfig } from '../context.ts';

/** Loads the config (exit 2 when invalid) and runs the worker until SIGTERM, or sends it drain/resume. */
export async function run(args: Record<string, unknown>): Promise<number> {
  const config = loadCommandConfig(args);
  if (args.action === 'drain' || args.action === 'resume') {
    const { runWorkerAdmin } = await import('./worker-admin.ts');
    return runWorkerAdmin(config, args.action);
  }
  return runWorker(config);
}
