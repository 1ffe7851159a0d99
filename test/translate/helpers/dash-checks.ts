// MP4 outputs: DASH chunk names, init+chunk readable, manifest delivered renumbered, tfdt after a seek; box order.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { firstSampleTiming } from '../../../worker/translate/post/mp4-boxes.ts';
import { probeSegments, type RecordedRequest } from '../../harness/index.ts';

/** Checks DASH output of `reps` representations numbered from `first`; returns the last manifest Plex got. */
export async function checkDash(t: Test, dir: string, requests: readonly RecordedRequest[], manifestPath: string, first: number, reps: number): Promise<string> {
  const files = readdirSync(dir);
  t.notOk(files.some((f) => f.startsWith('.plexbeam-stage')), 'staging folder removed');
  for (let rep = 0; rep < reps; rep++) {
    t.ok(files.includes(`init-stream${rep}.m4s`), `init-stream${rep}.m4s`);
    const chunks = await probeSegments(dir, `chunk-stream${rep}-%05d.m4s`, { header: `init-stream${rep}.m4s` });
    t.ok(chunks.length > 0, `chunks of representation ${rep}`);
    t.equal(chunks[0]?.name, `chunk-stream${rep}-${String(first).padStart(5, '0')}.m4s`, `rep ${rep} numbered from ${first}`);
    for (const c of chunks) t.ok(c.ok && c.packets > 0, `init+${c.name} readable ${c.error ?? ''}`);
  }
  const puts = requests.filter((r) => r.method === 'PUT' && r.path === manifestPath);
  t.ok(puts.length > 0, 'manifest PUT to the manifest URL');
  const mpd = puts.at(-1)?.bodyText ?? '';
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

/** Top-level MP4 box types in order (`moov` before `mdat` is +faststart). */
export function topBoxes(buf: Buffer): string[] {
  const types: string[] = [];
  for (let at = 0; at + 8 <= buf.length;) {
    const size = buf.readUInt32BE(at);
    types.push(buf.toString('latin1', at + 4, at + 8));
    if (size < 8) break;
    at += size;
  }
  return types;
}
