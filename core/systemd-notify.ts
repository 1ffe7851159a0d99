/** Tells systemd about readiness, status and liveness (sd_notify) through `systemd-notify`. */
import { execFile } from 'node:child_process';

export interface SystemdNotifier {
  /** True when running under a unit with NOTIFY_SOCKET set. */
  readonly enabled: boolean;
  /** READY=1 with an optional STATUS line. */
  ready(status?: string): Promise<void>;
  /** STATUS=… shown by `systemctl status`. */
  status(status: string): Promise<void>;
  /** WATCHDOG=1, the heartbeat for WatchdogSec=. */
  heartbeat(): Promise<void>;
  /** STOPPING=1 at the start of an orderly shutdown. */
  stopping(): Promise<void>;
  /** The heartbeat interval systemd asked for (half of WatchdogSec), or null. */
  readonly heartbeatIntervalMs: number | null;
}

/**
 * Creates a notifier. Node has no AF_UNIX datagram sockets, so this runs `systemd-notify`
 * with `--pid` naming this process; units set NotifyAccess=all so systemd accepts it from a child.
 */
export function createSystemdNotifier(env: NodeJS.ProcessEnv = process.env, command = 'systemd-notify'): SystemdNotifier {
  const enabled = Boolean(env.NOTIFY_SOCKET);
  const watchdogUsec = Number(env.WATCHDOG_USEC);
  const watchdogPid = env.WATCHDOG_PID === undefined ? process.pid : Number(env.WATCHDOG_PID);
  const heartbeatIntervalMs = enabled && watchdogUsec > 0 && watchdogPid === process.pid ? Math.max(1000, Math.floor(watchdogUsec / 2000)) : null;
  const send = (...lines: string[]) =>
    new Promise<void>((resolve) => {
      if (!enabled) return resolve();
      // Failures are not fatal: a missing systemd-notify must not take the daemon down.
      execFile(command, [`--pid=${process.pid}`, ...lines], { env: { ...env }, timeout: 5000 }, () => resolve());
    });
  return {
    enabled,
    heartbeatIntervalMs,
    ready: (status) => (status === undefined ? send('--ready') : send('--ready', `STATUS=${status}`)),
    status: (status) => send(`STATUS=${status}`),
    heartbeat: () => send('WATCHDOG=1'),
    stopping: () => send('STOPPING=1'),
  };
}
