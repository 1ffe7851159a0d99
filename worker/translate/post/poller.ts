// Runs an async sync step every few tens of ms, never two at once, until finished or aborted.
// Polling because transcode folders are often NFS/SMB shares without inotify; where the folder
// has it, a watch on it also runs the step as soon as the file it reads changes (a finished
// segment reaches Plex without waiting for the next tick), and the poll stays as the fallback.
import { watch, type FSWatcher } from 'node:fs';

/** A running poll loop. */
export interface Poller {
  /** Stops polling, runs the step one last time, and resolves when it has completed. */
  finish(): Promise<void>;
}

/** A folder to watch, and which names in it are worth a step (the rest only wait for the next tick). */
export interface PollWake {
  dir: string;
  matches(name: string): boolean;
}

/** Starts calling `step` every `intervalMs` (and on `wake`'s changes); errors go to `onError` and polling continues. */
export function startPoller(step: () => Promise<void>, intervalMs: number, signal: AbortSignal, onError: (e: unknown) => void, wake?: PollWake): Poller {
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  let stopped = false;
  // A change seen while a step runs: the step may have read the file just before it, so one more follows.
  let again = false;
  const run = (): Promise<void> => {
    busy = true;
    running = running.then(step).catch(onError).finally(() => {
      busy = false;
      if (again && !stopped) {
        again = false;
        void run();
      }
    });
    return running;
  };
  const kick = (): void => {
    if (stopped) return;
    if (busy) again = true;
    else void run();
  };
  // A tick that finds the previous step still running is skipped, so slow steps (a callback
  // waiting on Plex's reply) never pile up behind a short interval.
  const timer = setInterval(() => { if (!stopped && !busy) void run(); }, intervalMs);
  const watcher = wake === undefined ? null : watchFolder(wake, kick);
  const stop = (): void => {
    stopped = true;
    clearInterval(timer);
    watcher?.close();
  };
  signal.addEventListener('abort', stop, { once: true });
  return {
    async finish() {
      stop();
      await running;
      if (!signal.aborted) await run();
    },
  };
}

/** Watches `wake.dir`, or returns null where the folder cannot be watched (no inotify, out of watches): polling alone then. */
function watchFolder(wake: PollWake, kick: () => void): FSWatcher | null {
  try {
    const watcher = watch(wake.dir, { persistent: false }, (_event, name) => {
      if (name === null || wake.matches(name)) kick();
    });
    // A watch that fails later (the folder removed, a share gone) leaves the poll to carry on.
    watcher.on('error', () => watcher.close());
    return watcher;
  } catch {
    return null;
  }
}
