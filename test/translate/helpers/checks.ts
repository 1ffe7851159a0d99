// Assertions shared by the corpus end-to-end tests: what Plex needs from each kind of output.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { FakePms } from './fake-pms.ts';
import { ffprobe } from './run.ts';

/** Segments named like `media-%05d.ts` in `dir`, sorted. */
export function segmentsIn(dir: string, prefix = 'media-'): string[] {
  return readdirSync(dir).filter((f) => f.startsWith(prefix) && /\d+\.\w+$/.test(f)).sort();
}

/** HLS-style matroska ssegment output: numbering, header, header+segment readable, no stage left. */
export function checkSegments(t: Test, dir: string, firstNumber: number, streams: string[]): string[] {
  const segs = segmentsIn(dir);
  t.ok(segs.length > 0, 'segments written');
  t.equal(segs[0], `media-${String(firstNumber).padStart(5, '0')}.ts`, `numbering starts at ${firstNumber}`);
  segs.forEach((s, i) => t.equal(s, `media-${String(firstNumber + i).padStart(5, '0')}.ts`, `${s} in sequence`));
  t.notOk(readdirSync(dir).some((f) => f.startsWith('.plexbeam-stage')), 'staging folder removed');
  return segs;
}

/** The matroska header file is non-empty and every segment concatenated after it decodes. */
export function checkHeaderPlusSegments(t: Test, dir: string, segs: string[], types: string[]): void {
  const header = readFileSync(join(dir, 'header'));
  t.ok(header.length > 0, 'header file is not empty');
  for (const s of segs) {
    const probe = ffprobe(Buffer.concat([header, readFileSync(join(dir, s))]));
    t.same(probe.streams.map((x) => x.codec_type), types, `header+${s} has ${types.join('+')}`);
    t.ok(probe.packets > 0, `header+${s} has packets`);
  }
}

/** The CSV segment list reached the fake PMS: last delivery lists every segment with times. */
export function checkCsvList(t: Test, pms: FakePms, segs: string[], firstStart: number, separate: boolean): string[][] {
  const posts = pms.requests.filter((r) => r.method === 'POST' && r.url.includes('/manifest'));
  t.ok(posts.length > 0, 'segment list POSTed to the manifest URL');
  const rows = (posts[posts.length - 1]?.body ?? '').trim().split('\n').map((l) => l.split(','));
  t.same(rows.map((r) => r[0]), segs, 'list names every published segment, in order');
  t.equal(rows[0]?.length, separate ? 5 : 3, 'CSV columns (name,start,end[,end_audio,end_video])');
  t.equal(Number(rows[0]?.[1]), firstStart, `first segment starts at ${firstStart}`);
  for (let i = 1; i < rows.length; i++) t.ok(Number(rows[i]?.[1]) > Number(rows[i - 1]?.[1]), `row ${i} starts after row ${i - 1}`);
  for (const r of rows) t.ok(Number(r[2]) > Number(r[1]), `${r[0]} ends after it starts`);
  return rows;
}

/** Plex's progress requests reached the fake PMS in their shapes, ending at 100 %. */
export function checkProgress(t: Test, pms: FakePms, progressPath: string): void {
  const mine = pms.requests.filter((r) => r.url.startsWith(progressPath) && r.method === 'PUT');
  const queries = mine.map((r) => new URL(r.url, 'http://x').searchParams);
  const paths = mine.map((r) => new URL(r.url, 'http://x').pathname);
  t.ok(queries.some((q) => q.has('duration')), 'PUT ?duration=');
  t.ok(paths.some((p) => p.endsWith('/progress/stream')), 'PUT /stream per stream');
  const details = mine.filter((r) => r.url.includes('/progress/streamDetail?')).map((r) => new URL(r.url, 'http://x').searchParams);
  t.ok(details.some((q) => q.get('type') === 'video' && q.has('width') && q.has('height') && q.has('interlaced')), 'video streamDetail');
  t.ok(details.some((q) => q.get('type') === 'audio' && q.has('channels') && q.has('sampleRate')), 'audio streamDetail');
  const reports = queries.filter((q) => q.has('progress'));
  t.ok(reports.length > 0, 'periodic progress reports');
  t.ok(reports.every((q) => q.has('size') && q.has('remaining')), 'each has size and remaining');
  t.equal(reports[reports.length - 1]?.get('progress'), '100.0', 'last report says 100 %');
}
