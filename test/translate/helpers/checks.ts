// What Plex needs from HLS-style outputs and the progress channel, checked with ffprobe and the
// fake PMS's records; shared by the translation's corpus tests and the worker's.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { probeSegments, type RecordedRequest } from '../../harness/index.ts';

/** Segments named like `media-%05d.ts` in `dir`, sorted. */
export function segmentsIn(dir: string, prefix = 'media-'): string[] {
  return readdirSync(dir).filter((f) => f.startsWith(prefix) && /\d+\.\w+$/.test(f)).sort();
}

/** Segment files numbered from `firstNumber` without gaps, and no staging folder left. */
export function checkSegments(t: Test, dir: string, firstNumber: number): string[] {
  const segs = segmentsIn(dir);
  t.ok(segs.length > 0, 'segments written');
  t.equal(segs[0], `media-${String(firstNumber).padStart(5, '0')}.ts`, `numbering starts at ${firstNumber}`);
  segs.forEach((s, i) => t.equal(s, `media-${String(firstNumber + i).padStart(5, '0')}.ts`, `${s} in sequence`));
  t.notOk(readdirSync(dir).some((f) => f.startsWith('.plexbeam-stage')), 'staging folder removed');
  return segs;
}

/** The matroska header is not empty and each segment decodes after it with streams of `types`; returns their codecs. */
export async function checkHeaderPlusSegments(t: Test, dir: string, segs: string[], types: string[]): Promise<string[]> {
  t.ok(readFileSync(join(dir, 'header')).length > 0, 'header file is not empty');
  const probes = (await probeSegments(dir, 'media-%05d.ts', { header: 'header' })).filter((p) => segs.includes(p.name));
  t.equal(probes.length, segs.length, 'every segment probed');
  for (const p of probes) {
    t.ok(p.ok, `header+${p.name} readable ${p.error ?? ''}`);
    t.same(p.streams.map((s) => s.type), types, `header+${p.name} has ${types.join('+')}`);
    t.ok(p.packets > 0, `header+${p.name} has packets`);
  }
  return probes[0]?.streams.map((s) => s.codec) ?? [];
}

/** Self-contained segments (`-f segment` mpegts) each decode to streams of `codecs`. */
export async function checkSegmentCodecs(t: Test, dir: string, codecs: string[]): Promise<void> {
  for (const p of await probeSegments(dir, 'media-%05d.ts')) t.same(p.streams.map((s) => s.codec), codecs, `${p.name} is ${codecs.join('+')}`);
}

/**
 * The CSV segment list reached Plex: together the deliveries list every segment with its times
 * (each lists the last `-segment_list_size` of them, as Plex's transcoder does); returns the rows.
 */
export function checkCsvList(t: Test, requests: readonly RecordedRequest[], segs: string[], firstStart: number, separate: boolean): string[][] {
  const posts = requests.filter((r) => r.method === 'POST' && r.path.endsWith('/manifest'));
  t.ok(posts.length > 0, 'segment list POSTed to the manifest URL');
  const deliveries = posts.map((p) => p.bodyText.trim().split('\n').map((l) => l.split(',')));
  const byName = new Map(deliveries.flat().map((row) => [row[0], row]));
  const rows = [...byName.values()];
  t.same(rows.map((r) => r[0]), segs, 'list names every published segment, in order');
  t.equal(rows[0]?.length, separate ? 5 : 3, 'CSV columns (name,start,end[,end_audio,end_video])');
  t.equal(Number(rows[0]?.[1]), firstStart, `first segment starts at ${firstStart}`);
  for (let i = 1; i < rows.length; i++) t.ok(Number(rows[i]?.[1]) > Number(rows[i - 1]?.[1]), `row ${i} starts after row ${i - 1}`);
  for (const r of rows) t.ok(Number(r[2]) > Number(r[1]), `${r[0]} ends after it starts`);
  const lastNames = deliveries.map((d) => d.at(-1)?.[0] ?? '');
  t.ok(lastNames.every((n, i) => i === 0 || n >= (lastNames[i - 1] ?? '')), 'each delivery ends at or after the segment the one before ended with');
  return rows;
}

/** The `progress=` percentages Plex got, in order. */
export function progressPercents(requests: readonly RecordedRequest[]): number[] {
  return requests.filter((r) => r.method === 'PUT' && r.query.progress !== undefined).map((r) => Number(r.query.progress));
}

/** Plex's progress requests arrived in their shapes and order: startup, duration, streams, then reports up to 100 %. */
export function checkProgress(t: Test, requests: readonly RecordedRequest[], progressPath: string, types = ['video', 'audio']): void {
  const mine = requests.filter((r) => r.path.startsWith(progressPath) && r.method === 'PUT');
  const queries = mine.map((r) => new URLSearchParams(r.rawQuery));
  t.equal(queries[0]?.get('status'), 'startup', 'PUT ?status=startup first');
  t.ok(queries[1]?.has('duration'), 'then PUT ?duration=');
  const details = mine.filter((r) => r.path === `${progressPath}/streamDetail`).map((r) => new URLSearchParams(r.rawQuery));
  t.ok(mine.some((r) => r.path === `${progressPath}/stream`), 'PUT /stream per stream');
  if (types.includes('video')) t.ok(details.some((q) => q.get('type') === 'video' && q.has('width') && q.has('height') && q.has('interlaced')), 'video streamDetail');
  if (types.includes('audio')) t.ok(details.some((q) => q.get('type') === 'audio' && q.has('channels') && q.has('sampleRate')), 'audio streamDetail');
  const firstReport = queries.findIndex((q) => q.has('progress'));
  t.ok(firstReport > 1 && mine.slice(firstReport).every((r) => r.path === progressPath), 'stream reports come before the progress reports');
  const reports = queries.filter((q) => q.has('progress'));
  t.ok(reports.length > 0, 'periodic progress reports');
  t.ok(reports.every((q) => q.has('size') && q.has('remaining')), 'each has size and remaining');
  const percents = reports.map((q) => Number(q.get('progress')));
  t.ok(percents.every((p, i) => i === 0 || p >= (percents[i - 1] ?? 0)), `progress never goes back (${percents.join(', ')})`);
  t.equal(reports.at(-1)?.get('progress'), '100.0', 'last report says 100 %');
}
