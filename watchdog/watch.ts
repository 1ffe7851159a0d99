/** Watches `<plexDir>/Plex Transcoder` with chokidar (inotify, no polling), even before the folder exists. */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';

/** What the watcher reports: an event name (chokidar's, or `rearmed`) and the path it concerns. */
export type WatchListener = (event: string, path: string) => void;

/** A running watcher. */
export interface TranscoderWatcher {
  /** `plexDir` when watching it, or the ancestor watched while it does not exist yet. */
  watching(): string;
  close(): Promise<void>;
}

/** Options of watchTranscoder. */
export interface WatchTranscoderOptions {
  plexDir: string;
  transcoder: string;
  onEvent: WatchListener;
  onError: (error: Error) => void;
}

/**
 * Watches Plex's folder (not the file: a rename over the file would leave an inotify watch on
 * the old inode). Where the folder is missing it watches the nearest existing ancestor for the
 * next path segment, moving down as folders appear and back up if the folder is removed. Each
 * re-arm reports `rearmed`, since events before a watcher is ready are lost.
 */
export async function watchTranscoder(options: WatchTranscoderOptions): Promise<TranscoderWatcher> {
  const plexDir = resolve(options.plexDir);
  const transcoder = resolve(options.transcoder);
  let current: FSWatcher | null = null;
  let target = plexDir;
  let closed = false;
  let arming: Promise<void> = Promise.resolve();

  const rearm = () => {
    arming = arming.then(arm, arm);
    return arming;
  };

  async function arm(): Promise<void> {
    await current?.close();
    current = null;
    if (closed) return;
    target = nearestExisting(plexDir);
    // Watch only the one entry that matters below `target`: the transcoder, or the next folder down.
    const wanted = target === plexDir ? transcoder : join(target, relative(target, plexDir).split(sep)[0] as string);
    const watcher = watch(target, { ignoreInitial: true, depth: 0, ignored: (path: string) => path !== target && path !== wanted });
    current = watcher;
    watcher.on('all', (event, path) => {
      if (path === transcoder) options.onEvent(event, path);
      else if ((path === wanted && event === 'addDir') || (path === target && event === 'unlinkDir')) void rearm();
    });
    watcher.on('error', (error) => options.onError(error as Error));
    await new Promise<void>((ready) => watcher.once('ready', () => ready()));
    // The next folder may have appeared between choosing `target` and the watcher being ready.
    if (target !== plexDir && existsSync(wanted)) return arm();
    options.onEvent('rearmed', target);
  }

  await rearm();
  return {
    watching: () => target,
    async close() {
      closed = true;
      await arming;
      await current?.close();
      current = null;
    },
  };
}

/** `path` itself when it exists, else its nearest existing ancestor (`/` at worst). */
function nearestExisting(path: string): string {
  let candidate = path;
  while (!existsSync(candidate) && dirname(candidate) !== candidate) candidate = dirname(candidate);
  return candidate;
}
