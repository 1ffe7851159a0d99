/**
 * `plexbeam status [--json] [--watch]`: every worker, live sessions and the last failures; exit 0
 * when at least one worker is up, 3 when none is (as `systemctl is-active` signals state).
 */
import { join } from 'node:path';
import type { Config } from '../../core/config.ts';
import { viewFleet } from '../../server/fleet-view.ts';
import { buildStatusReport } from '../../server/status-report.ts';
import { loadCommandConfig } from '../context.ts';
import { formatStatus } from '../status/format.ts';
import { formatLibraryStatus, readLibraryStatus } from '../../library/status.ts';
import { readSessionActivity } from '../../server/session-activity.ts';

/** Exit code when no worker is up. */
export const EXIT_NO_WORKER_UP = 3;

/** One report: the JSON object and its text. */
async function report(config: Config): Promise<{ json: Record<string, unknown>; text: string; anyUp: boolean }> {
  const view = await viewFleet(config.workers, config.server.fleetFile, config.server.probeTimeoutMs);
  const activity = await readSessionActivity(join(config.dataDir, 'sessions.db'));
  const json: Record<string, unknown> & { workers: { up: boolean }[] } = buildStatusReport(view, activity, config.workers);
  let text = formatStatus(view, activity.sessions, activity.failures, Date.now(), config.workers);
  // The library re-encode's progress and totals, once something was scanned (docs/LIBRARY.md).
  const library = readLibraryStatus(join(config.dataDir, 'sessions.db'));
  if (library !== null) {
    json.library = library;
    text += `
${formatLibraryStatus(library)}`;
  }
  return { json, text, anyUp: json.workers.some((w) => w.up) };
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
