/**
 * `plexbeam status [--json] [--watch]`: every worker, live sessions and the last failures; exit 0
 * when at least one worker is up, 3 when none is (as `systemctl is-active` signals state).
 */
import { join } from 'node:path';
import type { Config } from '../../core/config.ts';
import { viewFleet } from '../../server/fleet-view.ts';
import { loadCommandConfig } from '../context.ts';
import { formatStatus } from '../status/format.ts';
import { readSessionActivity } from '../status/sessions.ts';

/** Exit code when no worker is up. */
export const EXIT_NO_WORKER_UP = 3;

/** One report: the JSON object and its text. */
async function report(config: Config): Promise<{ json: Record<string, unknown>; text: string; anyUp: boolean }> {
  const view = await viewFleet(config.workers, config.server.fleetFile, config.server.probeTimeoutMs);
  const activity = await readSessionActivity(join(config.dataDir, 'sessions.db'));
  const workers = view.workers.map((w) => ({
    name: w.name, url: w.url, up: w.up, since: new Date(w.since).toISOString(), checked_at: new Date(w.checkedAt).toISOString(),
    draining: w.draining, backend: w.health?.hwaccel ?? null, encoders: w.health?.encoders ?? [], jobs: w.health?.jobs ?? null,
    version: w.health?.version ?? null, last_error: w.lastError, last_error_at: w.lastErrorAt === null ? null : new Date(w.lastErrorAt).toISOString(),
    failed_jobs: w.failedJobs, last_failure_at: w.lastFailureAt === null ? null : new Date(w.lastFailureAt).toISOString(),
  }));
  const json = {
    source: view.source, fleet_file: view.fleetFile, ...(view.ageMs === undefined ? {} : { cache_age_ms: view.ageMs }), ...(view.why === undefined ? {} : { why: view.why }),
    workers, sessions: activity.sessions, failures: activity.failures, ...(activity.problem === undefined ? {} : { session_log_problem: activity.problem }),
  };
  return { json, text: formatStatus(view, activity.sessions, activity.failures), anyUp: workers.some((w) => w.up) };
}

/** Prints the report once, or every probe interval with --watch until SIGINT/SIGTERM. */
export async function run(args: Record<string, unknown>): Promise<number> {
  const config = loadCommandConfig(args);
  const print = (r: Awaited<ReturnType<typeof report>>) => process.stdout.write(args.json === true ? `${JSON.stringify(r.json, null, args.watch === true ? 0 : 2)}\n` : r.text);
  if (args.watch !== true) {
    const r = await report(config);
    print(r);
    return r.anyUp ? 0 : EXIT_NO_WORKER_UP;
  }
  const tty = process.stdout.isTTY === true && args.json !== true;
  let stop = false;
  const stopped = new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => ((stop = true), resolve()));
  });
  let last = false;
  while (!stop) {
    const r = await report(config);
    last = r.anyUp;
    // On a terminal the report redraws in place; piped, each round follows the last (a blank line between).
    if (tty) process.stdout.write('\x1b[H\x1b[2J');
    print(r);
    if (!tty && args.json !== true) process.stdout.write('\n');
    await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, config.server.probeIntervalMs))]);
  }
  return last ? 0 : EXIT_NO_WORKER_UP;
}
