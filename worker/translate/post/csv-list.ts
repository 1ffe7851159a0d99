// The stream segmenter's CSV segment list: stock rows in, Plex rows out.

/** One finished segment. */
export interface SegmentRow {
  name: string;
  start: number;
  end: number;
}

/** Parses ffmpeg's CSV list (`name,start,end` per line; names may be quoted). */
export function parseCsvList(text: string): SegmentRow[] {
  const rows: SegmentRow[] = [];
  for (const line of text.split('\n')) {
    const m = /^("(?:[^"]|"")*"|[^,]*),([-\d.]+),([-\d.]+)/.exec(line.trim());
    if (!m || !m[1]) continue;
    const name = m[1].startsWith('"') ? m[1].slice(1, -1).replace(/""/g, '"') : m[1];
    rows.push({ name, start: Number(m[2]), end: Number(m[3]) });
  }
  return rows;
}

/**
 * Formats rows the way Plex's segmenter does (`%f` times). With separate stream times Plex adds
 * the audio and video end times; stock cuts audio and video together, so both equal `end`.
 */
export function formatPlexCsv(rows: readonly SegmentRow[], separateStreamTimes: boolean): string {
  const f = (n: number): string => n.toFixed(6);
  return rows.map((r) => {
    const name = /[",\n]/.test(r.name) ? `"${r.name.replace(/"/g, '""')}"` : r.name;
    const extra = separateStreamTimes ? `,${f(r.end)},${f(r.end)}` : '';
    return `${name},${f(r.start)},${f(r.end)}${extra}\n`;
  }).join('');
}
