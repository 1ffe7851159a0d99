/**
 * The `Plex Transcoder` shim's entry point (the shim execs Node on this file). It boots small:
 * the compile cache first, stop signals caught at once, then the real code, loaded on demand.
 * The only file that touches process state: it exits exactly as the transcode ended.
 * Should the cartridge itself fail (its bundle does not load, an unexpected exception) before
 * anything reached Plex, Plex's own transcoder runs instead: a PlexBeam bug never breaks a play.
 */
import * as module from 'node:module';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Commitment } from './commitment.ts';
import type { ChildFate } from './local.ts';
import { catchStopSignals } from './signals.ts';

/**
 * The compile cache's folder, per user (Plex runs the shim as `plex`, tests and benchmarks as
 * someone else), used only when it is this user's own: Node runs the code it finds there as is,
 * so a folder another user made first in a shared /tmp, a symlink, or one others may write would
 * let them run code as Plex. Made 0700 when missing; otherwise the shim runs without the cache.
 */
function ownCompileCacheDir(): string | undefined {
  const uid = process.getuid?.();
  // Without an ES namespace (see core/builtins.ts: `import … from 'node:fs'` costs 5-15 ms here).
  const fs = process.getBuiltinModule?.('node:fs') as typeof import('node:fs') | undefined;
  if (uid === undefined || fs === undefined) return undefined;
  const dir = join(tmpdir(), `plexbeam-compile-cache-${uid}`);
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch {
    // there already, or /tmp not writable: looked at below
  }
  try {
    const st = fs.lstatSync(dir);
    return st.isDirectory() && st.uid === uid && (st.mode & 0o022) === 0 ? dir : undefined;
  } catch {
    return undefined;
  }
}
const cacheDir = ownCompileCacheDir();
if (cacheDir !== undefined) module.enableCompileCache?.(cacheDir);
const signals = catchStopSignals();
// Plex closing its end of stderr (EPIPE) must not crash the cartridge before it cancels its job.
process.stderr.on('error', () => undefined);
const argv = process.argv.slice(2);
const commitment: Commitment = { committed: false, cancelRemote: null };
// An exception thrown outside the awaited path (an event handler) ends the work the same way.
const crashed = new Promise<never>((_resolve, reject) => process.once('uncaughtException', reject));
let fate: ChildFate;
try {
  const { runCartridge } = await import('./run.ts');
  fate = await Promise.race([runCartridge({ argv, env: process.env, cwd: process.cwd(), signals, commitment }), crashed]);
} catch (error) {
  fate = await recover(error);
}
if (fate.signal !== null) {
  // Die by the same signal, as the transcoder did (Plex tells a crash from an exit this way).
  signals.release();
  process.kill(process.pid, fate.signal);
  setTimeout(() => process.exit(128 + (constants.signals[fate.signal as NodeJS.Signals] ?? 0)), 200);
} else {
  process.exit(fate.code ?? 1);
}

/** The cartridge failed: Plex's transcoder runs, unless it already runs or output reached Plex. */
async function recover(error: unknown): Promise<ChildFate> {
  // One line: Plex copies stderr into its log.
  const what = `plexbeam: cartridge failure: ${String((error as Error)?.stack ?? error).split('\n').slice(0, 2).join(' ')}`;
  if (commitment.committed || signals.first !== null) {
    process.stderr.write(`${what}\n`);
    await commitment.cancelRemote?.().catch(() => undefined);
    // Told to stop meanwhile: end as ffmpeg does after that signal (255, or killed by SIGHUP).
    if (signals.first === 'SIGHUP') return { code: null, signal: 'SIGHUP' };
    return { code: signals.first === null ? 1 : 255, signal: null };
  }
  commitment.committed = true;
  process.stderr.write(`${what}; running Plex Transcoder.real\n`);
  await commitment.cancelRemote?.().catch(() => undefined);
  try {
    const { runRealAsLastResort } = await import('./last-resort.ts');
    return await runRealAsLastResort(argv, process.env, process.cwd(), signals);
  } catch (again) {
    process.stderr.write(`plexbeam: cannot run Plex Transcoder.real: ${(again as Error).message}\n`);
    return { code: 1, signal: null };
  }
}
