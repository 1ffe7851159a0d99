/** `plexbeam demo [--json]`: a loopback worker, a stand-in Plex and one HLS transcode through the cartridge, then nothing left. */
import { EXIT_FAILURE, EXIT_OK } from '../../core/errors.ts';
import { formatDemo } from '../demo/format.ts';
import { startDemo } from '../demo/run-demo.ts';

/** Runs the demo; exit 0 when the transcode worked, 1 otherwise (the message says why). */
export async function run(args: Record<string, unknown>): Promise<number> {
  const json = args.json === true;
  const demo = startDemo({ env: process.env, onStep: json ? undefined : (text) => process.stdout.write(`… ${text}\n`) });
  // A Ctrl-C stops what runs; the demo then cleans up and reports, and exits 130 as shells expect.
  let signal: NodeJS.Signals | null = null;
  const onSignal = (name: NodeJS.Signals) => {
    signal ??= name;
    demo.cancel(`interrupted by ${name}`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const result = await demo.result;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : formatDemo(result));
  if (!result.ok && !json) process.stderr.write(`plexbeam: demo failed: ${result.error}\n`);
  if (signal !== null) return 128 + (signal === 'SIGINT' ? 2 : 15);
  return result.ok ? EXIT_OK : EXIT_FAILURE;
}
