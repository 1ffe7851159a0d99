#!/usr/bin/env node
/** The `plexbeam` CLI: parses the command line and dispatches, lazily, to one command module. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EXIT_FAILURE, EXIT_USAGE, isPlexBeamError } from '../core/errors.ts';
import { COMMANDS } from './commands.ts';

const cli = yargs(hideBin(process.argv))
  .scriptName('plexbeam')
  .usage('$0 <command> [options]\n\nRun Plex transcodes on another machine\'s GPU.')
  .option('config', { type: 'string', describe: 'config file (default: $PLEXBEAM_CONFIG or /etc/plexbeam/config.json)', global: true })
  .strict()
  .demandCommand(1, 'name a command (see --help)')
  .recommendCommands()
  .wrap(Math.min(100, process.stdout.columns || 100))
  .epilog('Exit codes: 0 success, 1 runtime failure, 2 bad usage or configuration.')
  .fail((message, error) => {
    // yargs reports its own usage errors as YError; anything else is a command's failure.
    if (error && error.name !== 'YError') throw error;
    process.stderr.write(`plexbeam: ${message ?? error?.message}\nTry 'plexbeam --help'.\n`);
    process.exit(EXIT_USAGE);
  });

for (const command of COMMANDS) cli.command(command);

try {
  await cli.parseAsync();
} catch (error) {
  if (isPlexBeamError(error)) {
    process.stderr.write(`plexbeam: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`plexbeam: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = EXIT_FAILURE;
  }
}
