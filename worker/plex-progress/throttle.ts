// Slows an ffmpeg process the way Plex's fork slows itself when PMS answers `canThrottle`.
// Plex sleeps 100 ms per frame ("sloth mode"); stock ffmpeg cannot, so the worker pauses the
// process (SIGSTOP) for 100 ms per frame it produced since the last check, then resumes it.

/** Options: the process, and how to read its frame count and the reporter's throttle state. */
export interface ThrottleOptions {
  pid: number;
  frames: () => number;
  throttled: () => boolean;
  /** Pause per frame in ms (Plex: 100). */
  perFrameMs?: number;
  /** How often to check (default 250 ms). */
  intervalMs?: number;
  kill?: (pid: number, signal: NodeJS.Signals) => void;
}

/** A running throttle; `stop()` resumes the process for good. */
export interface Throttle {
  stop(): void;
}

/** Starts duty-cycling `pid` while `throttled()` is true. */
export function createThrottle(opts: ThrottleOptions): Throttle {
  const kill = opts.kill ?? ((pid, sig) => process.kill(pid, sig));
  const perFrame = opts.perFrameMs ?? 100;
  let seen = opts.frames();
  let paused = false;
  let resumeTimer: NodeJS.Timeout | undefined;
  const signal = (sig: NodeJS.Signals): void => { try { kill(opts.pid, sig); } catch { /* process gone */ } };
  const resume = (): void => { if (paused) { paused = false; signal('SIGCONT'); } };
  const timer = setInterval(() => {
    const frames = opts.frames();
    const fresh = Math.max(0, frames - seen);
    seen = frames;
    if (paused || !opts.throttled() || fresh === 0) return;
    paused = true;
    signal('SIGSTOP');
    resumeTimer = setTimeout(resume, Math.min(fresh * perFrame, 5000));
  }, opts.intervalMs ?? 250);
  return {
    stop() {
      clearInterval(timer);
      clearTimeout(resumeTimer);
      resume();
    },
  };
}
