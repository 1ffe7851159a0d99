// Runs an async sync step every few hundred ms, never two at once, until finished or aborted.
// Polling (not fs.watch) because transcode folders are often NFS/SMB shares without inotify.

/** A running poll loop. */
export interface Poller {
  /** Stops polling, runs the step one last time, and resolves when it has completed. */
  finish(): Promise<void>;
}

/** Starts calling `step` every `intervalMs`; errors go to `onError` and polling continues. */
export function startPoller(step: () => Promise<void>, intervalMs: number, signal: AbortSignal, onError: (e: unknown) => void): Poller {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const run = (): Promise<void> => {
    running = running.then(step).catch(onError);
    return running;
  };
  const timer = setInterval(() => { if (!stopped) void run(); }, intervalMs);
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
