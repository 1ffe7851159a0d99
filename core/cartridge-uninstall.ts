/** `plexbeam cartridge uninstall`: puts Plex's newest binary back as `Plex Transcoder`, byte-identical. */
import { commitRename, describeFile, moveIfAbsent, removeFile } from './cartridge-files.ts';
import { runChange, refuseBrokenState, type CartridgeChange, type CartridgeChangeOptions, type ChangeContext } from './cartridge-change.ts';
import { inspectCartridge, newestReal, type CartridgeState } from './cartridge-state.ts';

/**
 * Restores Plex's newest real binary. `.real` is renamed back (the same inode: bytes, mode,
 * owner and times exactly as Plex wrote them); where Plex's binary is already the transcoder
 * (an update the watchdog had not handled), the older `.real` is dropped. Twice changes nothing.
 */
export function uninstallCartridge(options: CartridgeChangeOptions): Promise<CartridgeChange> {
  return runChange(options, uninstall);
}

async function uninstall(context: ChangeContext): Promise<CartridgeChange> {
  const { state } = context;
  const { paths, transcoder, real } = state;
  // A shim at `.real` next to Plex's binary is only clutter to remove; everything else broken is refused.
  if (!(state.name === 'real-is-shim' && transcoder !== null && !transcoder.shim)) refuseBrokenState(state);
  const newest = newestReal(state);
  const result = (after: CartridgeState, message: string, retry = false): CartridgeChange => ({
    action: context.steps.length === 0 || retry ? 'none' : 'uninstalled',
    message,
    retry,
    steps: context.steps,
    before: state,
    after,
    oldRealMd5: newest?.md5 ?? null,
    newRealMd5: after.transcoder?.md5 ?? null,
  });
  if (state.name === 'not-installed' && state.prev === null) return result(state, 'the cartridge is not installed; Plex Transcoder is Plex\'s binary');
  if (state.name === 'installed' || state.name === 'transcoder-missing') {
    await context.step('restore-real');
    // The transcoder must still be the shim we saw (or still absent): never clobber a new Plex binary.
    const now = await describeFile(paths.transcoder);
    const unchanged = transcoder === null ? now === null : now !== null && now.shim && now.ino === transcoder.ino;
    if (!unchanged) return result(state, 'Plex Transcoder changed while uninstalling; run it again', true);
    if (transcoder === null) {
      if (!(await moveIfAbsent(paths.real, paths.transcoder))) return result(state, 'Plex Transcoder appeared while uninstalling; run it again', true);
    } else {
      await commitRename(paths.real, paths.transcoder);
    }
  } else if (real !== null && (state.name === 'plex-updated' || state.name === 'real-is-shim')) {
    // Plex's binary is already the transcoder and newer than `.real` (or `.real` is a stray shim).
    await context.step('drop-real');
    await removeFile(paths.real);
  }
  let after = await inspectCartridge(paths.plexDir, context.shimOptions);
  if (after.name === 'not-installed' && after.transcoder?.md5 === newest?.md5 && after.prev !== null) {
    await context.step('drop-prev');
    await removeFile(paths.prev);
    after = { ...after, prev: null };
  }
  const onlyCleanup = context.steps.length === 1 && context.steps[0] === 'drop-prev';
  return result(after, onlyCleanup ? 'the cartridge was not installed; removed Plex Transcoder.real.prev left by an interrupted change' : `restored Plex's own Plex Transcoder (md5 ${after.transcoder?.md5 ?? '?'})`);
}
