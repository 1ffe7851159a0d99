/** `plexbeam shaper run | status [--json]`: per-viewer bandwidth shaping (docs/SHAPER.md). */
import { loadCommandConfig } from '../context.ts';

/** Loads the config, then runs the shaper or prints its status (each loaded only now). */
export async function run(args: Record<string, unknown>): Promise<number> {
  const config = loadCommandConfig(args);
  if (args.action === 'status') {
    const { printShaperStatus } = await import('../../shaper/status.ts');
    return printShaperStatus(config, args.json === true);
  }
  const { runShaper } = await import('../../shaper/main.ts');
  return runShaper(config);
}
