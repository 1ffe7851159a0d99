// DASH checks: chunk names, init+chunk readable, manifest delivered renumbered, tfdt after a seek.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { firstSampleTiming } from '../../../worker/translate/post/mp4-boxes.ts';
import type { FakePms } from './fake-pms.ts';
import { ffprobe } from './run.ts';

/** Checks DASH output of `reps` representations numbered from `first`; returns the last manifest. */
export function checkDash(t: Test, dir: string, pms: FakePms, manifestPath: string, first: number, reps: number): string {
  const files = readdirSync(dir);
  t.notOk(files.some((f) => f.startsWith('.plexbeam-stage')), 'staging folder removed');
  for (let rep = 0; rep < reps; rep++) {
    t.ok(files.includes(`init-stream${rep}.m4s`), `init-stream${rep}.m4s`);
    const chunks = files.filter((f) => f.startsWith(`chunk-stream${rep}-`)).sort();
    t.ok(chunks.length > 0, `chunks of representation ${rep}`);
    t.equal(chunks[0], `chunk-stream${rep}-${String(first).padStart(5, '0')}.m4s`, `rep ${rep} numbered from ${first}`);
    const init = readFileSync(join(dir, `init-stream${rep}.m4s`));
    for (const c of chunks) {
      const probe = ffprobe(Buffer.concat([init, readFileSync(join(dir, c))]));
      t.ok(probe.packets > 0, `init+${c} readable`);
    }
  }
  const puts = pms.requests.filter((r) => r.method === 'PUT' && r.url.startsWith(manifestPath));
  t.ok(puts.length > 0, 'manifest PUT to the manifest URL');
  const mpd = puts[puts.length - 1]?.body ?? '';
  t.match(mpd, /<MPD/, 'manifest is an MPD');
  t.ok([...mpd.matchAll(/startNumber="(\d+)"/g)].every((m) => Number(m[1]) >= first), `manifest numbers from ${first}`);
  return mpd;
}

/** Seconds of the first chunk's tfdt for representation `rep` (timescale read from the manifest). */
export function firstChunkTime(dir: string, mpd: string, rep: number, first: number): number {
  const timing = firstSampleTiming(readFileSync(join(dir, `chunk-stream${rep}-${String(first).padStart(5, '0')}.m4s`)));
  const scales = [...mpd.matchAll(/timescale="(\d+)"/g)].map((m) => Number(m[1]));
  return (timing?.tfdt ?? NaN) / (scales[rep] ?? 1);
}
