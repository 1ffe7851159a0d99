// Reads what the publisher needs from stock dashenc's MPD, and renumbers it for Plex.

/** One Representation's segment timeline as listed in the MPD. */
export interface RepresentationTimeline {
  id: string;
  startNumber: number;
  timescale: number;
  /** Start time (timescale units) of each listed segment, in order. */
  starts: number[];
}

/** Parses each Representation's SegmentTemplate/SegmentTimeline (dashenc's own layout). */
export function parseRepresentations(mpd: string): RepresentationTimeline[] {
  const reps: RepresentationTimeline[] = [];
  const repRe = /<Representation\b[^>]*\bid="([^"]*)"[^>]*>([\s\S]*?)<\/Representation>/g;
  for (const m of mpd.matchAll(repRe)) {
    const body = m[2] ?? '';
    const start = Number(/startNumber="(\d+)"/.exec(body)?.[1] ?? '1');
    const timescale = Number(/timescale="(\d+)"/.exec(body)?.[1] ?? '1');
    const starts: number[] = [];
    let t = 0;
    for (const s of body.matchAll(/<S\b([^>]*)\/>/g)) {
      const attrs = s[1] ?? '';
      const tAttr = /\bt="(\d+)"/.exec(attrs)?.[1];
      const d = Number(/\bd="(\d+)"/.exec(attrs)?.[1] ?? '0');
      const r = Number(/\br="(-?\d+)"/.exec(attrs)?.[1] ?? '0');
      if (tAttr !== undefined) t = Number(tAttr);
      for (let k = 0; k <= Math.max(0, r); k++) { starts.push(t); t += d; }
    }
    reps.push({ id: m[1] ?? '', startNumber: start, timescale, starts });
  }
  return reps;
}

/** Shifts every `startNumber` by `delta` (stock numbers from 1, Plex from `-skip_to_segment`). */
export function renumberManifest(mpd: string, delta: number): string {
  if (delta === 0) return mpd;
  return mpd.replace(/startNumber="(\d+)"/g, (_, n: string) => `startNumber="${Number(n) + delta}"`);
}

/** Shifts the explicit `t` of each Representation's timeline by that representation's amount. */
export function shiftTimelines(mpd: string, shifts: ReadonlyMap<string, number>): string {
  return mpd.replace(/(<Representation\b[^>]*\bid="([^"]*)"[^>]*>)([\s\S]*?<\/Representation>)/g, (_, open: string, id: string, body: string) => {
    const shift = shifts.get(id) ?? 0;
    if (shift === 0) return open + body;
    return open + body.replace(/(<S\b[^>]*\bt=")(\d+)"/g, (_m, head: string, t: string) => `${head}${Number(t) + shift}"`);
  });
}
