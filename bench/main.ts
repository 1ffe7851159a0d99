/**
 * `npm run bench [-- --quick] [-- --only 1,2,9] [-- --json FILE]`: PlexBeam's costs, each measured
 * side by side with the baseline a user would compare, in the same run (ratios hold on a noisy
 * machine where absolute times drift). Prints one Markdown table on stdout (progress on stderr)
 * and, with --json, writes every sample. Exit 1 when a row could not be measured.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { benchCallbackRelay } from './callback-relay.ts';
import { benchConfinement } from './confinement.ts';
import { benchStreamMode } from './stream-mode.ts';
import { benchFailover } from './failover.ts';
import { benchFallback } from './fallback.ts';
import { benchFirstSegment } from './first-segment.ts';
import { benchLibrary } from './library.ts';
import { createFixture, type Fixture } from './fixture.ts';
import { benchAnalyzeRows, benchStartRows, benchWatchdogRows } from './imported-rows.ts';
import { describeMachine, formatMachine, sampleLoad } from './machine.ts';
import { benchOffload } from './offload.ts';
import { benchSessionLog } from './session-log.ts';
import { benchStop } from './stop.ts';
import { formatTable } from './table.ts';
import { benchThroughput } from './throughput.ts';
import { notAvailable, type BenchRow, type RowOptions } from './types.ts';

/** One family of rows: what it is called and aims at (for an n/a line), and how to measure it. */
interface Family {
  id: string;
  name: string;
  goal: string;
  run(fx: Fixture, opts: RowOptions): Promise<BenchRow[]>;
}

/** The rows, in its order. */
const FAMILIES: Family[] = [
  { id: '1', name: 'Cartridge start', goal: '≤ 2.0× bare Node', run: (_fx, opts) => benchStartRows(opts) },
  { id: '2', name: 'Time to first segment', goal: '≤ 1.05× direct', run: benchFirstSegment },
  { id: '3', name: 'Fallback (refused, silent)', goal: 'refused ≤ 1.2× pass-through; silent ≤ healthTimeoutMs + 50 ms', run: benchFallback },
  { id: '4', name: 'Worker overhead: parallel jobs', goal: '≥ 0.97× direct throughput', run: benchThroughput },
  { id: '5', name: 'Callback relay', goal: 'median ≤ 20 ms', run: benchCallbackRelay },
  { id: '6', name: 'Session log, 50 writer processes', goal: '—', run: benchSessionLog },
  { id: '7', name: 'Analyze, 1,000,000 sessions', goal: '< 2 s each', run: (_fx, opts) => benchAnalyzeRows(opts) },
  { id: '8', name: 'Watchdog reaction', goal: '< 2 s (median)', run: (_fx, opts) => benchWatchdogRows(opts) },
  { id: '9', name: 'Offload: Plex-side CPU', goal: '≤ 2 % of local', run: benchOffload },
  { id: '10', name: 'Stops (SIGTERM, shim killed)', goal: 'SIGTERM ≤ 1 s; killed shim ≤ 5 s', run: benchStop },
  { id: '11', name: 'Confinement start (bwrap)', goal: '≤ 20 ms added', run: (_fx, opts) => benchConfinement(opts) },
  { id: '12', name: 'Stream mode (read throughput, on a gigabit LAN, first segment, Plex-side CPU)', goal: '≥ 0.9× local; ≥ 0.9× the link; ≤ 1.1× shared; ≤ 3 % of local CPU', run: benchStreamMode },
  { id: '13', name: 'Library re-encode (throughput; first segment while one runs)', goal: '≥ 0.95× direct; ≤ 1.05× idle', run: benchLibrary },
  { id: '14', name: 'Failover (worker SIGKILLed mid-stream)', goal: '≤ 2 segment intervals + 1 s; 0 missing or duplicated', run: benchFailover },
];

const USAGE = `usage: npm run bench [-- --quick] [-- --only 1,3,9] [-- --json FILE]
  --quick       fewer runs (a smoke run, not figures to publish)
  --only LIST   only these rows (comma-separated numbers, 1-${FAMILIES.length})
  --json FILE   also write the rows, every sample and the machine to FILE
`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, json: { type: 'string' }, help: { type: 'boolean', default: false } },
    }));
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const only = values.only?.split(',').map((id) => id.trim()).filter((id) => id !== '');
  const unknown = only?.filter((id) => !FAMILIES.some((f) => f.id === id)) ?? [];
  if (unknown.length > 0) {
    process.stderr.write(`bench: no row ${unknown.join(', ')}\n${USAGE}`);
    return 2;
  }
  const families = only === undefined ? FAMILIES : FAMILIES.filter((f) => only.includes(f.id));
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const opts: RowOptions = { quick: values.quick, say };
  const machine = describeMachine();
  const load = sampleLoad();
  const started = performance.now();
  const fx = await createFixture();
  const rows: BenchRow[] = [];
  let failed = 0;
  try {
    for (const family of families) {
      const began = performance.now();
      say(`bench: row ${family.id}, ${family.name} …`);
      try {
        rows.push(...(await family.run(fx, opts)));
      } catch (error) {
        failed += 1;
        say(`bench: row ${family.id} failed: ${(error as Error).stack ?? String(error)}`);
        rows.push(notAvailable(family.id, family.name, family.goal, `could not be measured: ${(error as Error).message.split('\n')[0]}`));
      }
      say(`bench: row ${family.id} took ${((performance.now() - began) / 1000).toFixed(1)} s`);
    }
  } finally {
    await fx.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const loadSummary = load.stop();
  const machineLine = formatMachine(machine, loadSummary);
  process.stdout.write(`\nPlexBeam benchmarks${values.quick ? ' (--quick: fewer runs)' : ''}\n${machineLine}\n\n${formatTable(rows)}\nbench: ${seconds.toFixed(0)} s in all\n`);
  if (values.json !== undefined) {
    writeFileSync(values.json, `${JSON.stringify({ machine: { ...machine, load: loadSummary }, quick: values.quick, seconds, rows }, null, 2)}\n`);
    say(`bench: wrote ${values.json}`);
  }
  return failed > 0 ? 1 : 0;
}

// Exit at once: pipes and files are written synchronously on Linux, and a stray handle must not hold the run.
process.exit(await main());
