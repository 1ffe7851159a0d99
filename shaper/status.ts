/** `plexbeam shaper status`: the service's last snapshot joined with the classes tc holds now. */
import type { Config } from '../core/config.ts';
import { EXIT_OK } from '../core/errors.ts';
import { formatRate } from './rate.ts';
import { createReconciler, type AppliedClass } from './reconcile.ts';
import { readShaperSettings } from './settings.ts';
import { readShaperStatus, shaperStatusPath, type ShaperStatus } from './status-file.ts';
import { createTcRunner, type TcRunner } from './tc-runner.ts';

/** The JSON `plexbeam shaper status --json` prints. */
export interface ShaperStatusReport {
  readonly running: boolean;
  readonly interface: string;
  readonly statusLine: string | null;
  readonly updatedAt: string | null;
  readonly source: string | null;
  readonly lastError: string | null;
  /** Every session the service last saw, with its client's address. */
  readonly sessions: readonly { address: string; id: string; state: string; bandwidthKbps: number | null; player: string | null }[];
  /** Clients with their class, configured and measured rate. */
  readonly clients: ShaperStatus['clients'];
  /** The client classes tc holds on the interface now. */
  readonly classes: readonly AppliedClass[];
  readonly tcError: string | null;
  readonly changes: ShaperStatus['changes'];
}

/** Builds the report (reading tc needs no privilege). */
export async function buildShaperStatus(config: Config, tc: TcRunner = createTcRunner()): Promise<ShaperStatusReport> {
  const settings = readShaperSettings(config.shaper);
  const snapshot = await readShaperStatus(shaperStatusPath(config.dataDir));
  let classes: readonly AppliedClass[] = [];
  let tcError: string | null = null;
  if (settings.interface !== '') {
    try {
      classes = await createReconciler({ tc, device: settings.interface }).applied();
    } catch (error) {
      tcError = (error as Error).message;
    }
  }
  return {
    running: snapshot !== null && snapshot.running && isAlive(snapshot.pid),
    interface: settings.interface,
    statusLine: snapshot?.statusLine ?? null,
    updatedAt: snapshot?.updatedAt ?? null,
    source: snapshot?.source ?? null,
    lastError: snapshot?.lastError ?? null,
    sessions: (snapshot?.clients ?? []).flatMap((client) => client.sessions.map((s) => ({ address: client.address, ...s }))),
    clients: snapshot?.clients ?? [],
    classes,
    tcError,
    changes: snapshot?.changes ?? [],
  };
}

/** Prints the report as JSON or as lines for people; exits 0. */
export async function printShaperStatus(config: Config, json: boolean, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const report = await buildShaperStatus(config);
  if (json) {
    out.write(`${JSON.stringify(report, null, 2)}\n`);
    return EXIT_OK;
  }
  const lines = [
    `shaper: ${report.running ? 'running' : 'not running'} on ${report.interface || '(shaper.interface not set)'}${report.statusLine ? ` · ${report.statusLine}` : ''}`,
  ];
  if (report.lastError) lines.push(`last error: ${report.lastError}`);
  if (report.tcError) lines.push(`tc: ${report.tcError}`);
  const measured = new Map(report.clients.map((c) => [c.address, c]));
  for (const cls of report.classes) {
    const client = measured.get(cls.address);
    const rate = client?.measuredBits == null ? 'n/a' : formatRate(client.measuredBits);
    const state = client?.sessions.map((s) => s.state).join(',') || (client?.releaseAt ? `stopped, released at ${client.releaseAt}` : 'stopped');
    lines.push(`  ${cls.address.padEnd(39)} ${cls.classid.padEnd(10)} rate ${formatRate(cls.rateBits)} ceil ${formatRate(cls.ceilBits)} measured ${rate} (${state})`);
  }
  for (const client of report.clients.filter((c) => c.exempt)) lines.push(`  ${client.address.padEnd(39)} exempt (never shaped)`);
  if (report.classes.length === 0) lines.push('  no client classes');
  if (report.changes.length > 0) lines.push('last changes:', ...report.changes.slice(-5).map((c) => `  ${c.at} ${c.change}`));
  out.write(`${lines.join('\n')}\n`);
  return EXIT_OK;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
