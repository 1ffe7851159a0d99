/** The fleet monitor: every interval, probes all workers at once and writes what it learnt to the fleet cache. */
import { FLEET_CACHE_VERSION, type FleetCache, type FleetWorker } from '../core/fleet-cache.ts';
import type { Logger } from '../core/log.ts';
import { writeFleetFile } from './fleet-file.ts';
import { fleetStatusLine, nextWorkerState } from './fleet-state.ts';
import type { WorkerEntry } from '../core/config.ts';
import { probeWorker } from './probe.ts';
import { probeTargets, type ResolveName } from './targets.ts';

export interface FleetMonitorDeps {
  /** The configured workers, asked at the start of every round (the config may have changed; DNS pools are re-resolved). */
  workers: readonly WorkerEntry[] | (() => readonly WorkerEntry[]);
  /** Name resolution for DNS pools (default: the system's). */
  resolve?: ResolveName;
  fleetFile: string;
  /** Between the starts of two rounds, in ms. */
  intervalMs: number;
  /** Per worker and round, in ms. */
  timeoutMs: number;
  log: Logger;
  /** Called with the status line after every round in which it changed. */
  onStatus?: (line: string) => void;
  /** Called with the workers after every round, once the cache is written. */
  onRound?: (workers: FleetWorker[]) => void;
  now?: () => number;
}

/** A running monitor. */
export interface FleetMonitor {
  /** Runs the first round (the cache exists when it resolves), then one every interval. */
  start(): Promise<void>;
  /** Stops the rounds and waits for the one in flight. */
  close(): Promise<void>;
  statusLine(): string;
  /** The workers as the last round saw them. */
  workers(): FleetWorker[];
}

/** Creates the monitor; nothing is probed before start(). */
export function createFleetMonitor(deps: FleetMonitorDeps): FleetMonitor {
  const now = deps.now ?? Date.now;
  const counts = new Map<string, number>();
  let state: FleetWorker[] = [];
  let status = fleetStatusLine([]);
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> | null = null;
  let closed = false;

  async function round(): Promise<void> {
    const targets = await probeTargets(typeof deps.workers === 'function' ? deps.workers() : deps.workers, deps.resolve);
    const results = await Promise.all(targets.map((target) => probeWorker(target, deps.timeoutMs)));
    const at = now();
    const next = targets.map((target, index) => {
      const previous = state.find((w) => w.url === target.url);
      const worker = nextWorkerState(target, previous, results[index]!, at, counts);
      if (previous?.up !== worker.up) {
        if (worker.up) deps.log.info({ worker: worker.name, url: worker.url }, `worker ${worker.name} is up`);
        else deps.log.warn({ worker: worker.name, url: worker.url, reason: worker.lastError }, `worker ${worker.name} is down: ${worker.lastError}`);
      }
      if (worker.lastFailureAt === at) deps.log.warn({ worker: worker.name }, `a job failed on ${worker.name}: it is tried last for a minute`);
      return worker;
    });
    state = next;
    const cache: FleetCache = { version: FLEET_CACHE_VERSION, writtenAt: at, pid: process.pid, workers: next };
    try {
      writeFleetFile(deps.fleetFile, cache);
    } catch (error) {
      deps.log.error({ err: error }, `cannot write the fleet cache ${deps.fleetFile}: ${(error as Error).message}`);
    }
    deps.onRound?.(next);
    const line = fleetStatusLine(next);
    if (line !== status) {
      status = line;
      deps.onStatus?.(line);
    }
  }

  const tick = () => {
    if (closed || inFlight !== null) return;
    inFlight = round().finally(() => (inFlight = null));
  };

  return {
    async start() {
      inFlight = round().finally(() => (inFlight = null));
      await inFlight;
      if (!closed) timer = setInterval(tick, deps.intervalMs);
    },
    async close() {
      closed = true;
      if (timer !== null) clearInterval(timer);
      await inFlight;
    },
    statusLine: () => status,
    workers: () => state,
  };
}
