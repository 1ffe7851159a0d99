/**
 * The `Plex Transcoder` shim's entry point (the shim execs Node on this file). It boots small:
 * the compile cache first, stop signals caught at once, then the real code, loaded on demand.
 * The only file that touches process state: it exits exactly as the transcode ended.
 */
import * as module from 'node:module';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { catchStopSignals } from './signals.ts';

// Per user: Plex runs the shim as `plex`, tests and benchmarks as someone else.
module.enableCompileCache?.(join(tmpdir(), `plexbeam-compile-cache-${process.getuid?.() ?? 0}`));
const signals = catchStopSignals();
// Plex closing its end of stderr (EPIPE) must not crash the cartridge before it cancels its job.
process.stderr.on('error', () => undefined);
const { runCartridge } = await import('./run.ts');
let fate;
try {
  fate = await runCartridge({ argv: process.argv.slice(2), env: process.env, cwd: process.cwd(), signals });
} catch (error) {
  // One line: Plex copies stderr into its log.
  process.stderr.write(`plexbeam: cartridge failure: ${String((error as Error).stack ?? error).split('\n').slice(0, 2).join(' ')}\n`);
  fate = { code: 1, signal: null };
}
if (fate.signal !== null) {
  // Die by the same signal, as the transcoder did (Plex tells a crash from an exit this way).
  signals.release();
  process.kill(process.pid, fate.signal);
  setTimeout(() => process.exit(128 + (constants.signals[fate.signal as NodeJS.Signals] ?? 0)), 200);
} else {
  process.exit(fate.code ?? 1);
}
