/** `plexbeam doctor`: not landed yet. */
import { PlexBeamError } from '../../core/errors.ts';
import { loadCommandConfig } from '../context.ts';

/** Validates the config, then explains that this command's component has not landed yet (exit 1). */
export async function run(args: Record<string, unknown>): Promise<number> {
  loadCommandConfig(args);
  throw new PlexBeamError('NOT_IMPLEMENTED', '`plexbeam doctor` is not available in this version yet');
}
