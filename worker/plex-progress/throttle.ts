// Slows an ffmpeg process the way Plex's fork slows itself when PMS answers `canThrottle`.
// Plex sleeps 100 ms per frame ("sloth mode"); stock ffmpeg cannot, so the worker pauses the
// process group (SIGSTOP) for 100 ms per frame it produced since the last check, then resumes it.
// A paused ffmpeg is never left stopped: `stop()` (cancel, job end) resumes it, and nothing is
// signalled once the pid no longer names the process the throttle started with.
import { readProcStat } from '../proc-stat.ts';

/** Options: the process, and how to read its frame count and the reporter's throttle state. */
export interface ThrottleOptions {
  /** ffmpeg's pid, which leads its process group: the whole group is paused and resumed. */
  pid: number;
  frames: () => number;
  throttled: () => boolean;
  /** Pause per frame in ms (Plex: 100). */
  perFrameMs?: number;
  /** How often to check (default 250 ms). */
  intervalMs?: number;
  /** Sends a signal (default: to the process group `-pid`). */
  kill?: (pid: number, signal: NodeJS.Signals) => void;
}

/** A running throttle; `stop()` resumes the process for good. */
export interface Throttle {
  /** True while the process is paused by the throttle. */
  readonly paused: boolean;
  stop(): void;
}

/** Starts duty-cycling `pid` while `throttled()` is true. */
export function createThrottle(opts: ThrottleOptions): Throttle {
  const kill = opts.kill ?? ((pid, sig) => process.kill(-pid, sig));
  const perFrame = opts.perFrameMs ?? 100;
  // The process's start time: a pid that names another process later is left alone.
  const startTime = readProcStat(opts.pid)?.startTime;
  const isSame = (): boolean => {
    const now = readProcStat(opts.pid);
    return now !== null && now.state !== 'Z' && now.startTime === startTime;
  };
  let seen = opts.frames();
  let paused = false;
  let stopped = false;
  let resumeTimer: NodeJS.Timeout | undefined;
  const signal = (sig: NodeJS.Signals): void => { try { kill(opts.pid, sig); } catch { /* process gone */ } };
  const resume = (): void => { if (paused) { paused = false; if (isSame()) signal('SIGCONT'); } };
  const timer = setInterval(() => {
    const frames = opts.frames();
    const fresh = Math.max(0, frames - seen);
    seen = frames;
    if (stopped || paused || !opts.throttled() || fresh === 0 || !isSame()) return;
    paused = true;
    signal('SIGSTOP');
    resumeTimer = setTimeout(resume, Math.min(fresh * perFrame, 5000));
  }, opts.intervalMs ?? 250);
  return {
    get paused() {
      return paused;
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(resumeTimer);
      resume();
    },
  };
}
