/**
 * Row 11, confinement start cost: `ffmpeg -version` bare, then the same inside the bubblewrap
 * sandbox a job gets (its media root read-only, its folder and scratch read-write, no network),
 * interleaved. What bwrap adds here is what it adds to a job's time to first segment (row 2
 * already runs confined: the worker confines by default).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { checkConfinement, planJobSandbox, wrapCommand } from '../worker/confine/index.ts';
import { summarize } from './stats.ts';
import { formatNumber } from './table.ts';
import { measured, notAvailable, type BenchRow, type RowOptions } from './types.ts';

/** The goal: at most 20 ms added to time to first segment. */
const GOAL_MS = 20;
const NAME = 'Confinement start (bwrap)';
const GOAL = `≤ ${GOAL_MS} ms added`;

/** Measures row 11. */
export async function benchConfinement(opts: RowOptions): Promise<BenchRow[]> {
  const pathVar = process.env.PATH;
  const confinement = await checkConfinement({ setting: 'bubblewrap', pathVar }).catch((error: Error) => error);
  if (confinement instanceof Error) return [notAvailable('11', NAME, GOAL, confinement.message.split('. Fix:')[0] ?? confinement.message)];
  const dir = mkdtempSync(join(tmpdir(), 'plexbeam-bench-confine-'));
  try {
    const spec = planJobSandbox({ args: ['-version'], cwd: dir, inputs: [], mediaRoots: ['/usr/share'], transcodeRoots: [dir], scratch: [], devices: [] });
    const confined = wrapCommand(confinement, 'ffmpeg', ['-hide_banner', '-version'], spec, pathVar);
    const time = async (file: string, args: readonly string[]) => {
      const began = performance.now();
      await execa(file, args, { stdin: 'ignore' });
      return performance.now() - began;
    };
    const runs = opts.quick ? 5 : 30;
    const bare: number[] = [];
    const inBwrap: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      bare.push(await time('ffmpeg', ['-hide_banner', '-version']));
      inBwrap.push(await time(confined.file, confined.args));
    }
    const added = inBwrap.map((ms, i) => ms - (bare[i] as number));
    const s = summarize(added);
    return [{
      id: '11',
      name: NAME,
      baseline: measured('ffmpeg -version', 'ms', bare),
      measured: measured('the same in a job sandbox', 'ms', inBwrap),
      result: { text: `+${formatNumber(s.median, 'ms')} ms`, value: s.median, spread: `${formatNumber(s.min, 'ms')}–${formatNumber(s.max, 'ms')} ms` },
      goal: GOAL,
      pass: s.median <= GOAL_MS,
      note: 'median of per-run differences, runs interleaved; the sandbox is a job\'s (no network, media root ro, job folder rw)',
    }];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
