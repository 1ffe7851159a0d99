/** `plexbeam worker`: probe, listen, tell systemd, and stop in order on SIGTERM. The only file that touches process state. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../core/config.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { createSystemdNotifier } from '../core/systemd-notify.ts';
import { backendDevices, checkConfinement, createJobConfiner, createProbeWrapper, describeConfinement } from './confine/index.ts';
import { probeHardware } from './probe/index.ts';
import { createWorkerServer, type WorkerServer } from './server.ts';
import { readPackageVersion } from './version.ts';

/** Runs the worker until SIGTERM/SIGINT; resolves with the exit code. */
export async function runWorker(config: Config): Promise<number> {
  const log = await createLogger({ name: 'worker', config });
  const notifier = createSystemdNotifier();
  // Before anything runs ffmpeg: the probe's test encodes are confined too. Refuses to start (exit 2) when required and broken.
  const confinement = await checkConfinement({ setting: config.worker.confinement, pathVar: process.env.PATH }).catch((error: Error) => {
    log.fatal({ code: 'CONFINEMENT_UNAVAILABLE' }, error.message);
    throw error;
  });
  const confinementFields = { mode: confinement.mode, setting: config.worker.confinement, bwrap: confinement.bwrapPath, landlock: confinement.landlock };
  if (confinement.mode === 'unconfined') log.warn({ confinement: confinementFields }, describeConfinement(confinement));
  else log.info({ confinement: confinementFields }, describeConfinement(confinement));
  const hardware = await probeHardware({ config: config.worker, wrap: createProbeWrapper(confinement, process.env.PATH) });
  log.info({ hwaccel: hardware.hwaccel, encoders: hardware.encoders, reason: hardware.reason, candidates: hardware.candidates, ms: hardware.ms }, 'hardware probed');

  // The one-line status `systemctl status` shows, e.g. "1/2 jobs, software (libx264, libx265)",
  // led while draining by "draining: 1 job being handed back; ".
  const statusLine = () => {
    const { running, queued, max } = server.jobs.counts();
    const handingBack = server.jobs.segmentedActive();
    const drain = server.jobs.handingBack ? `draining: ${handingBack} job${handingBack === 1 ? '' : 's'} being handed back; ` : '';
    return `${drain}${running + queued}/${max} jobs, ${hardware.hwaccel} (${hardware.encoders.join(', ') || 'no encoder'}), ${confinement.mode === 'unconfined' ? 'UNCONFINED' : 'confined (bubblewrap)'}`;
  };
  const server: WorkerServer = createWorkerServer({
    config: config.worker,
    hardware,
    log,
    version: readPackageVersion(),
    workerEnv: process.env,
    scratchRoot: join(tmpdir(), 'plexbeam-worker'),
    confine: createJobConfiner({ confinement, config: config.worker, devices: backendDevices(hardware) }),
    onJobUpdate: (_job, kind) => {
      if (kind === 'state') void notifier.status(statusLine());
    },
    onDrainChange: () => void notifier.status(statusLine()),
  });
  const { port, callbackPort } = await server.listen();
  log.info({ host: config.worker.host, port, callback_port: callbackPort, auth: config.worker.apiKey !== '' }, 'listening');
  await notifier.ready(statusLine());
  const heartbeat = notifier.heartbeatIntervalMs === null ? undefined : setInterval(() => void notifier.heartbeat(), notifier.heartbeatIntervalMs);

  await waitForStopSignal(log, () => server.jobs.killAll());
  clearInterval(heartbeat);
  await notifier.stopping();
  // Drain first: segmented jobs are handed back at their next segment, within stopHandBackS (below the unit's TimeoutStopSec).
  await server.close((config.worker.stopHandBackS ?? 30) * 1000);
  log.info('stopped');
  await new Promise<void>((resolve) => log.flush(() => resolve()));
  return 0;
}

/** Resolves on the first SIGTERM/SIGINT; a second one kills the jobs' ffmpegs and exits at once. */
function waitForStopSignal(log: Logger, killJobs: () => void): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn({ signal }, 'second signal: killing ffmpeg and exiting without waiting');
        killJobs();
        process.exit(1);
      }
      stopping = true;
      log.info({ signal }, 'stopping: refusing new jobs, cancelling running ones');
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
