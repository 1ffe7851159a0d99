/** Plex's stop signals, caught from the start so that no remote job is ever left behind. */

/** Signals Plex uses to stop a transcode. */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/** Every stop signal the cartridge received, in order, and who wants to hear of the next. */
export interface StopSignals {
  /** The first signal received, or null. */
  readonly first: NodeJS.Signals | null;
  /** Calls `listener` on every signal from now on (and at once for one already received). */
  listen(listener: (signal: NodeJS.Signals) => void): () => void;
  /** Removes the handlers, so that re-raising a signal kills the process. */
  release(): void;
}

/** Installs handlers for SIGTERM/SIGINT/SIGHUP; until `release`, they no longer kill the process. */
export function catchStopSignals(): StopSignals {
  let first: NodeJS.Signals | null = null;
  const listeners = new Set<(signal: NodeJS.Signals) => void>();
  const onSignal = (signal: NodeJS.Signals) => {
    first ??= signal;
    for (const listener of [...listeners]) listener(signal);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  return {
    get first() {
      return first;
    },
    listen(listener) {
      listeners.add(listener);
      if (first !== null) listener(first);
      return () => void listeners.delete(listener);
    },
    release() {
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    },
  };
}
