/** What install, repair and uninstall share: options, the named steps, and the result they return. */
import { stat } from 'node:fs/promises';
import { PlexBeamError } from './errors.ts';
import { fileError, removeStaleTemps } from './cartridge-files.ts';
import { withCartridgeLock } from './cartridge-lock.ts';
import { cartridgePaths, defaultShimOptions } from './cartridge-paths.ts';
import type { ShimOptions } from './cartridge-shim.ts';
import { describeProblem, inspectCartridge, type CartridgeState } from './cartridge-state.ts';

/**
 * The named steps of a change, in the order they can happen. Each leaves Plex's folder in a
 * state `inspectCartridge` recognises, so being killed between any two is safe.
 */
export const CARTRIDGE_STEPS = ['keep-prev', 'stage-real', 'commit-real', 'stage-shim', 'commit-shim', 'restore-real', 'drop-real', 'drop-prev'] as const;
export type CartridgeStep = (typeof CARTRIDGE_STEPS)[number];

/** Options of installCartridge, repairCartridge and uninstallCartridge. */
export interface CartridgeChangeOptions {
  plexDir: string;
  /** The shim to write (default: this PlexBeam's node and dist/cartridge/main.js). */
  shim?: ShimOptions;
  /** Called before each step; the watchdog's test hook pauses here so a test can kill it. */
  beforeStep?: (step: CartridgeStep) => void | Promise<void>;
  /** How long to wait for another PlexBeam process holding the lock, in milliseconds. */
  lockWaitMs?: number;
}

/** What a change did. */
export type CartridgeAction = 'none' | 'installed' | 'adopted-update' | 'restored-shim' | 'refreshed-shim' | 'cleaned-up' | 'uninstalled';

/** The result of a change: before and after states, the steps taken, md5s for the event log. */
export interface CartridgeChange {
  readonly action: CartridgeAction;
  /** One sentence for people and logs. */
  readonly message: string;
  readonly steps: readonly CartridgeStep[];
  /** The transcoder changed while we worked: nothing unsafe was done; settle and try again. */
  readonly retry: boolean;
  readonly before: CartridgeState;
  readonly after: CartridgeState;
  /** Plex's real binary before and after (for an update: the old and the new one). */
  readonly oldRealMd5: string | null;
  readonly newRealMd5: string | null;
}

/** A change in progress: its state, the steps so far, and the hook to call before each. */
export interface ChangeContext {
  readonly state: CartridgeState;
  readonly shimOptions: ShimOptions;
  readonly steps: CartridgeStep[];
  step(name: CartridgeStep): Promise<void>;
}

/**
 * Runs `body` under the cartridge lock after checking the folder and clearing dead processes'
 * temporaries; `body` gets the current state. Throws PLEX_DIR_MISSING when there is no folder.
 */
export async function runChange(options: CartridgeChangeOptions, body: (context: ChangeContext) => Promise<CartridgeChange>): Promise<CartridgeChange> {
  const paths = cartridgePaths(options.plexDir);
  await requirePlexDir(options.plexDir);
  return withCartridgeLock(
    paths.lock,
    async () => {
      try {
        await removeStaleTemps(options.plexDir);
      } catch (error) {
        throw fileError(error, 'clean up temporaries in', options.plexDir);
      }
      const shimOptions = options.shim ?? defaultShimOptions();
      const state = await inspectCartridge(options.plexDir, shimOptions);
      const steps: CartridgeStep[] = [];
      const step = async (name: CartridgeStep) => {
        await options.beforeStep?.(name);
        steps.push(name);
      };
      return body({ state, shimOptions, steps, step });
    },
    options.lockWaitMs,
  );
}

async function requirePlexDir(plexDir: string): Promise<void> {
  try {
    if ((await stat(plexDir)).isDirectory()) return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError(error, 'read', plexDir);
  }
  throw new PlexBeamError('PLEX_DIR_MISSING', `Plex's folder ${plexDir} does not exist: install Plex Media Server, or pass --plex-dir / set \`plexDir\` in the config to its folder`);
}

/** Throws the error that explains a state no change can start from (none for healthy ones). */
export function refuseBrokenState(state: CartridgeState): void {
  const described = describeProblem(state);
  if (described === null) return;
  const code = state.name === 'no-transcoder' ? 'TRANSCODER_MISSING' : state.name === 'no-plex-dir' ? 'PLEX_DIR_MISSING' : 'CARTRIDGE_BROKEN';
  throw new PlexBeamError(code, `${described.problem}; to fix: ${described.fix}`);
}
