/**
 * Which segments Plex has, read from what it was told: the last row of the CSV segment list
 * (HLS/ssegment, `name,start,end[,…]`) or the last chunk of the DASH manifest (the smallest over
 * its representations: every one of them must have the segment).
 */
import type { ResumeFacts } from '../../core/plex-argv/resume.ts';

/** The last segment Plex was told of, with its end time when the list says it. */
export interface Listed {
  segment: number;
  /** HLS: the segment's end (seconds) as the list gives it; DASH: null. */
  end: number | null;
}

/** A pattern's number as a regular expression group: `media-%05d.ts` → /^media-(\d+)\.ts$/. */
function numberPattern(pattern: string): RegExp {
  const base = pattern.slice(pattern.lastIndexOf('/') + 1);
  let source = '';
  let groups = 0;
  for (let at = 0; at < base.length;) {
    const rest = base.slice(at);
    const printf = /^%0?\d*d/.exec(rest);
    const number = /^\$Number(?:%0\d+d)?\$/.exec(rest);
    const other = /^\$(?:RepresentationID|Bandwidth|Time|ext)\$/.exec(rest);
    if (printf !== null || number !== null) {
      source += groups++ === 0 ? '(\\d+)' : '\\d+';
      at += (printf ?? number)?.[0].length ?? 1;
    } else if (other !== null) {
      source += '[^/]*?';
      at += other[0].length;
    } else {
      source += (base[at] as string).replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
      at += 1;
    }
  }
  return new RegExp(`(?:^|/)${source}$`);
}

/** The last segment a CSV segment list names. */
function lastCsvRow(facts: ResumeFacts, body: string): Listed | null {
  const re = numberPattern(facts.pattern);
  let found: Listed | null = null;
  for (const line of body.split('\n')) {
    const m = /^("(?:[^"]|"")*"|[^,#][^,]*),([-\d.]+),([-\d.]+)/.exec(line.trim());
    if (m === null || m[1] === undefined) continue;
    const name = m[1].startsWith('"') ? m[1].slice(1, -1).replace(/""/g, '"') : m[1];
    const number = re.exec(name)?.[1];
    if (number === undefined) continue;
    const segment = Number(number);
    if (found === null || segment >= found.segment) found = { segment, end: Number(m[3]) };
  }
  return found;
}

/** The last chunk every representation of a DASH manifest lists. */
function lastManifestChunk(body: string): Listed | null {
  let least: number | null = null;
  for (const m of body.matchAll(/<SegmentTemplate\b([^>]*?)(\/>|>([\s\S]*?)<\/SegmentTemplate>)/g)) {
    const start = Number(/\bstartNumber="(\d+)"/.exec(m[1] ?? '')?.[1] ?? '1');
    let count = 0;
    for (const s of (m[3] ?? '').matchAll(/<S\b([^>]*)\/?>/g)) count += 1 + Math.max(0, Number(/\br="(-?\d+)"/.exec(s[1] ?? '')?.[1] ?? '0'));
    if (count === 0) continue;
    const lastChunk = start + count - 1;
    least = least === null ? lastChunk : Math.min(least, lastChunk);
  }
  return least === null ? null : { segment: least, end: null };
}

/** The last segment Plex was told of in `body` (the list or manifest of `facts`' argv), or null. */
export function lastListed(facts: ResumeFacts, body: string): Listed | null {
  return facts.kind === 'hls' ? lastCsvRow(facts, body) : lastManifestChunk(body);
}

/**
 * The last segment among file `names` of the output folder, for an argv whose list Plex does not
 * receive (old `-f segment` without `-segment_list`): the worker publishes (renames into place)
 * only finished segments, so the highest number there is complete.
 */
export function lastNamed(facts: ResumeFacts, names: readonly string[]): Listed | null {
  const re = numberPattern(facts.pattern);
  let found: Listed | null = null;
  for (const name of names) {
    const number = re.exec(name)?.[1];
    if (number !== undefined && (found === null || Number(number) > found.segment)) found = { segment: Number(number), end: null };
  }
  return found;
}
