/** What every command needs first: the validated config, honouring --config and --plex-dir. */
import { loadConfig, type Config } from '../core/config.ts';

/** Loads the config for a command from its parsed arguments (throws CONFIG_* errors, exit 2). */
export function loadCommandConfig(args: Record<string, unknown>): Config {
  const plexDir = typeof args.plexDir === 'string' ? args.plexDir : undefined;
  return loadConfig({
    path: typeof args.config === 'string' ? args.config : undefined,
    overrides: plexDir === undefined ? {} : { plexDir },
  });
}
