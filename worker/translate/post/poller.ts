// Runs an async sync step every few tens of ms, never two at once, until finished or aborted.
// Polling (not fs.watch) because transcode folders are often NFS/SMB shares without inotify.

/** A running poll loop. */
export interface Poller {
  /** Stops polling, runs the step one last time, and resolves when it has completed. */
  finish(): Promise<void>;
}

/** Starts calling `step` every `intervalMs`; errors go to `onError` and polling continues. */
export function startPoller(step: () => Promise<void>, intervalMs: number, signal: AbortSignal, onError: (e: unknown) => void): Poller {
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  let stopped = false;
  const run = (): Promise<void> => {
    busy = true;
    running = running.then(step).catch(onError).finally(() => { busy = false; });
    return running;
  };
  // A tick that finds the previous step still running is skipped, so slow steps (a callback
  // waiting on Plex's reply) never pile up behind a short interval.
  const timer = setInterval(() => { if (!stopped && !busy) void run(); }, intervalMs);
  const stop = (): void => { stopped = true; clearInterval(timer); };
  signal.addEventListener('abort', stop, { once: true });
  return {
    async finish() {
      stop();
      await running;
      if (!signal.aborted) await run();
    },
  };
}
