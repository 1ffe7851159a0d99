/**
 * Installs the shim, and repairs it after Plex updates, without ever losing Plex's binary.
 * Invariants: the shim only ever replaces a transcoder whose bytes `.real` already holds; the
 * previous `.real` stays as `.real.prev` until the new state is verified; every new file is
 * written under a temporary name in the same folder, fsynced, then renamed into place.
 */
import { stat } from 'node:fs/promises';
import { commitRename, describeFile, moveIfAbsent, removeFile, stageContent, stageCopy, statOrNull, type FileInfo } from './cartridge-files.ts';
import { runChange, refuseBrokenState, type CartridgeAction, type CartridgeChange, type CartridgeChangeOptions, type ChangeContext } from './cartridge-change.ts';
import { tempPath } from './cartridge-paths.ts';
import { inspectCartridge, type CartridgeState } from './cartridge-state.ts';

export { CARTRIDGE_STEPS, type CartridgeChange, type CartridgeChangeOptions, type CartridgeStep } from './cartridge-change.ts';
export { uninstallCartridge } from './cartridge-uninstall.ts';
export { readCartridgeStatus, type CartridgeStatus } from './cartridge-status.ts';

/** `plexbeam cartridge install`: installs the shim from any healthy state; twice changes nothing. */
export function installCartridge(options: CartridgeChangeOptions): Promise<CartridgeChange> {
  return runChange(options, (context) => ensureInstalled(context, true));
}

/**
 * The watchdog's repair: like install, except that it never installs on its own where the shim
 * was not installed (a user who ran `cartridge uninstall` meant it).
 */
export function repairCartridge(options: CartridgeChangeOptions): Promise<CartridgeChange> {
  return runChange(options, (context) => ensureInstalled(context, false));
}

async function ensureInstalled(context: ChangeContext, fresh: boolean): Promise<CartridgeChange> {
  const { state } = context;
  refuseBrokenState(state);
  // Resuming an update cut short after `.real` was written: the old binary is the one in `.real.prev`.
  const resumed = state.name === 'plex-updated' && state.real?.md5 === state.transcoder?.md5 && state.prev !== null && state.prev.md5 !== state.real?.md5;
  const plexRealMd5 = (resumed ? state.prev?.md5 : state.real?.md5) ?? state.transcoder?.md5 ?? null;
  const result = (action: CartridgeAction, message: string, after: CartridgeState, retry = false): CartridgeChange => ({
    action, message, retry, after, before: state, steps: context.steps, oldRealMd5: plexRealMd5, newRealMd5: after.real?.md5 ?? after.transcoder?.md5 ?? null,
  });
  const transcoder = state.transcoder;
  if (state.name === 'not-installed' && !fresh) return result('none', 'the cartridge is not installed (run `plexbeam cartridge install`)', state);
  if (state.name === 'not-installed' || state.name === 'plex-updated') {
    const binary = transcoder as FileInfo;
    const kept = await keepAsReal(context, binary);
    if (!kept || !(await replaceWithShim(context, binary))) return result('none', 'Plex Transcoder changed while installing; will try again', state, true);
    const action = plexRealMd5 !== binary.md5 ? 'adopted-update' : 'installed';
    const message = action === 'adopted-update' ? 'Plex replaced Plex Transcoder: kept the new binary as Plex Transcoder.real and reinstalled the shim' : 'installed the shim; Plex Transcoder.real is Plex\'s binary';
    return verifyAndDropPrev(context, binary, (after, ok) => result(ok ? action : 'none', ok ? message : 'could not verify the change; will try again', after, !ok));
  }
  if (state.name === 'transcoder-missing' || (state.name === 'installed' && !state.shimCurrent)) {
    const real = state.real as FileInfo;
    await context.step('stage-shim');
    const temp = tempPath(state.paths.plexDir, 'shim');
    await stageContent(temp, state.shimText, real);
    await context.step('commit-shim');
    const committed = transcoder === null ? await moveIfAbsent(temp, state.paths.transcoder) : await replaceShim(temp, transcoder, state);
    if (!committed) {
      await removeFile(temp);
      return result('none', 'Plex Transcoder changed while restoring the shim; will try again', state, true);
    }
    const action = transcoder === null ? 'restored-shim' : 'refreshed-shim';
    const message = transcoder === null ? 'Plex Transcoder was missing: put the shim back' : 'rewrote the shim for this PlexBeam install';
    return verifyAndDropPrev(context, real, (after, ok) => result(ok ? action : 'none', ok ? message : 'could not verify the change; will try again', after, !ok));
  }
  const real = state.real as FileInfo;
  if (state.prev === null) return result('none', 'the shim is installed', state);
  // `.real.prev` left by an interrupted update: the update is complete, so it is no longer needed.
  return verifyAndDropPrev(context, real, (after, ok) =>
    result(ok ? 'cleaned-up' : 'none', ok ? 'the shim is installed; removed Plex Transcoder.real.prev left by an interrupted update' : 'the shim is installed', after),
  );
}

/**
 * Makes `.real` hold `binary`'s bytes. The old `.real`, if different, is first kept as
 * `.real.prev`. False when the transcoder changed meanwhile (nothing unsafe was done).
 */
async function keepAsReal(context: ChangeContext, binary: FileInfo): Promise<boolean> {
  const { paths, real, prev } = context.state;
  if (real?.md5 === binary.md5) return true;
  if (real !== null && prev?.md5 !== real.md5) {
    await context.step('keep-prev');
    const temp = tempPath(paths.plexDir, 'prev');
    await stageCopy(real.path, temp, real);
    await commitRename(temp, paths.prev);
  }
  await context.step('stage-real');
  const temp = tempPath(paths.plexDir, 'real');
  await stageCopy(binary.path, temp, binary);
  if (!(await holdsSameBytes(temp, binary))) {
    await removeFile(temp);
    return false;
  }
  await context.step('commit-real');
  await commitRename(temp, paths.real);
  return true;
}

/** Puts the shim over the transcoder, but only while `.real` holds the transcoder's exact bytes. */
async function replaceWithShim(context: ChangeContext, binary: FileInfo): Promise<boolean> {
  const { paths, shimText } = context.state;
  await context.step('stage-shim');
  const temp = tempPath(paths.plexDir, 'shim');
  await stageContent(temp, shimText, binary);
  await context.step('commit-shim');
  const [now, real] = await Promise.all([stat(paths.transcoder, { bigint: true }).catch(() => null), stat(paths.real, { bigint: true }).catch(() => null)]);
  // Same inode as `.real` (we linked it) or, after a copy, the same bytes: then nothing is lost.
  const same = now !== null && real !== null && now.ino === binary.ino && (now.ino === real.ino || (await describeFile(paths.transcoder))?.md5 === binary.md5);
  if (!same) {
    await removeFile(temp);
    return false;
  }
  await commitRename(temp, paths.transcoder);
  return true;
}

/** Rewrites an outdated shim, only if the transcoder is still that shim. */
async function replaceShim(temp: string, shim: FileInfo, state: CartridgeState): Promise<boolean> {
  const now = await describeFile(state.paths.transcoder);
  if (now === null || now.ino !== shim.ino || !now.shim) return false;
  await commitRename(temp, state.paths.transcoder);
  return true;
}

/**
 * Checks the result (the shim in place, `.real` holding `real`'s bytes), then drops `.real.prev`;
 * keeps it otherwise. The shim is restored before this runs, so it is off the critical path.
 */
async function verifyAndDropPrev(context: ChangeContext, real: FileInfo, done: (after: CartridgeState, ok: boolean) => CartridgeChange): Promise<CartridgeChange> {
  const { state } = context;
  const { paths } = state;
  const transcoder = await describeFile(paths.transcoder);
  const ok = transcoder?.md5 === state.shimMd5 && (await holdsSameBytes(paths.real, real));
  if (!ok) return done(await inspectCartridge(paths.plexDir, context.shimOptions), false);
  const after: CartridgeState = { ...state, name: 'installed', transcoder, real: { ...real, path: paths.real }, prev: null, shimCurrent: true };
  if ((await statOrNull(paths.prev)) !== null) {
    await context.step('drop-prev');
    await removeFile(paths.prev);
  }
  return done(after, true);
}

/**
 * True when `path` holds `expected`'s bytes. A hard link to it is the same inode, so an unchanged
 * size and mtime settle it without reading tens of MB again; anything else (a copy) is hashed.
 */
async function holdsSameBytes(path: string, expected: FileInfo): Promise<boolean> {
  const stats = await statOrNull(path);
  if (stats === null) return false;
  if (stats.ino === expected.ino && Number(stats.size) === expected.size && stats.mtimeNs === expected.mtimeNs) return true;
  return (await describeFile(path, { fresh: true }))?.md5 === expected.md5;
}
