/**
 * Row 5, callback relay: for every Plex progress callback of a whole transcode through the shim
 * and a loopback worker, the delay from the worker capturing it (its link message passing the
 * tap) to the fake Plex Media Server receiving the replayed request.
 */
import type { RecordedRequest } from '../test/harness/index.ts';
import type { Fixture } from './fixture.ts';
import { startLinkTap, type TappedCallback } from './link-tap.ts';
import { plexHlsArgv } from './plex-argv.ts';
import { startTimed } from './processes.ts';
import { measured, type BenchRow, type RowOptions } from './types.ts';

const GOAL_MS = 20;

/** Measures row 5 over one or two whole transcodes of the 10 s clip. */
export async function benchCallbackRelay(fx: Fixture, opts: RowOptions): Promise<BenchRow[]> {
  const runs = opts.quick ? 1 : 2;
  const { worker } = await fx.worker();
  const tap = await startLinkTap(worker.url);
  const config = fx.config('relay', { workers: [{ url: tap.url, apiKey: worker.apiKey, name: 'bench-worker' }] });
  const delays: number[] = [];
  let unmatched = 0;
  try {
    for (let i = 0; i < runs; i += 1) {
      const firstRequest = fx.pms.requests.length;
      const firstCallback = tap.callbacks.length;
      const run = startTimed(fx.shim, plexHlsArgv({ input: fx.clip, pmsUrl: fx.pms.url, session: `relay-${i}` }), { env: fx.plexEnv(config), cwd: fx.sessionDir('relay') });
      const end = await run.exited;
      if (end.code !== 0) throw new Error(`the transcode failed (exit ${end.code ?? end.signal}): ${run.stderr().slice(-2000)}`);
      const progress = tap.callbacks.slice(firstCallback).filter((c) => c.path.includes('/progress'));
      const matched = matchRequests(progress, fx.pms.requests.slice(firstRequest));
      unmatched += progress.length - matched.length;
      delays.push(...matched);
    }
  } finally {
    await tap.close();
  }
  if (delays.length === 0) throw new Error('no progress callback reached the fake Plex Media Server');
  const m = measured('capture → PMS', 'ms', delays);
  const p90 = [...delays].sort((a, b) => a - b)[Math.floor(delays.length * 0.9)] as number;
  return [{
    id: '5',
    name: 'Callback relay: worker captures a progress callback → fake PMS receives it',
    baseline: null,
    measured: m,
    result: { text: `median ${m.median.toFixed(0)} ms, p90 ${p90.toFixed(0)} ms`, value: m.median, spread: m.spread },
    goal: `median ≤ ${GOAL_MS} ms (loopback)`,
    pass: m.median <= GOAL_MS,
    note: `callback relay: ${delays.length} progress callbacks over ${runs} whole transcode(s) (runs column: callbacks); clocks are Date.now() (1 ms steps)${unmatched > 0 ? `; ${unmatched} never reached the fake PMS` : ''}.`,
  }];
}

/** Delays (ms) of the callbacks that reached Plex, pairing each with the next request of the same method, path and query. */
function matchRequests(callbacks: readonly TappedCallback[], requests: readonly RecordedRequest[]): number[] {
  const delays: number[] = [];
  let from = 0;
  for (const callback of callbacks) {
    const index = requests.findIndex((r, i) => i >= from && r.method === callback.method && r.path === callback.path && r.rawQuery === callback.query);
    if (index === -1) continue;
    delays.push((requests[index] as RecordedRequest).time - callback.at);
    from = index + 1;
  }
  return delays;
}
