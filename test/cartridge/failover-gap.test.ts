// Bench row 14's reading of a failover run (bench/failover-gap.ts) on lists where it must find
// something: a segment missing from the list or the disk, one listed twice with different rows,
// no segment after the loss. (The clean case is read from real runs in failover-hls.test.ts.)
import t from 'tap';
import { listedTimes, readRun } from '../../bench/failover-gap.ts';
import type { RecordedRequest } from '../harness/index.ts';

/** A streamed CSV list body: each row arrives as a chunk at its time (ms). */
function list(rows: [number, number, number][]): RecordedRequest {
  const chunks = rows.map(([n, start, time]) => ({ time, data: Buffer.from(`media-${String(n).padStart(5, '0')}.ts,${start.toFixed(6)},${(start + 1).toFixed(6)}\n`) }));
  return { chunks } as unknown as RecordedRequest;
}

t.test('a clean run: the gap across the loss and the median of the others', async (t) => {
  const first = list([[0, 0, 1000], [1, 1, 2000], [2, 2, 3000]]);
  const second = list([[3, 3, 5500], [4, 4, 6500], [5, 5, 7600]]);
  const run = readRun(listedTimes([first, second]), 3200, [0, 1, 2, 3, 4, 5]);
  t.same(run, { gapMs: 2500, intervalMs: 1000, lastBefore: 2, missing: [], duplicated: [] });
});

t.test('a segment never listed, one not on disk, one listed twice with different rows', async (t) => {
  // Split rows: a row is read once whole, whichever chunk completes it.
  const first = list([[0, 0, 1000], [1, 1, 2000], [2, 2, 3000]]);
  const second = list([[2, 2.5, 5000], [4, 4, 6000], [5, 5, 7000]]);
  const run = readRun(listedTimes([first, second]), 3200, [0, 1, 2, 4]);
  t.same(run.missing, [3, 5], '3 never listed, 5 not on disk');
  t.same(run.duplicated, [2], '2 listed with two rows');
  t.equal(run.gapMs, 3000, 'the gap runs to the next number listed');
});

t.test('nothing listed after the loss is an error, not a gap', async (t) => {
  t.throws(() => readRun(listedTimes([list([[0, 0, 1000], [1, 1, 2000]])]), 2500, [0, 1]), /no segment listed after 1/);
});
