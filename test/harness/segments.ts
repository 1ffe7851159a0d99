/** Probes a transcode's segment files (HLS `media-*.ts`, DASH chunks) so tests can check outputs. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runToolWithInput } from './ffmpeg-tools.ts';
import { streamFacts, type FfprobeStream, type StreamFacts } from './probe.ts';

/** One segment as ffprobe read it; `ok: false` with `error` when it could not be read. */
export interface SegmentProbe {
  name: string;
  path: string;
  size: number;
  ok: boolean;
  error?: string;
  streams: StreamFacts[];
  packets: number;
  /** First and last timestamps (s) of the main stream (video if any), and their difference. */
  startTime?: number;
  endTime?: number;
  duration?: number;
}

export interface ProbeSegmentsOptions {
  /**
   * A file of `dir` to put in front of each segment before probing: Plex's HLS segments
   * (`-individual_header_trailer 0`) need `header`, DASH chunks their `init-stream<N>.m4s`.
   */
  header?: string | ((segmentName: string) => string | undefined);
}

/**
 * Probes every file of `dir` matching `pattern`, in name order. A string pattern may use `*`,
 * `?`, printf `%05d`/`%d` and DASH `$RepresentationID$`/`$Number%05d$`, so an output name
 * from the argv can be passed as it is.
 */
export async function probeSegments(dir: string, pattern: string | RegExp, opts: ProbeSegmentsOptions = {}): Promise<SegmentProbe[]> {
  const re = typeof pattern === 'string' ? patternToRegExp(pattern) : pattern;
  const names = (await readdir(dir)).filter((name) => re.test(name)).sort(compareNatural);
  const results: SegmentProbe[] = [];
  for (const name of names) results.push(await probeSegment(dir, name, opts));
  return results;
}

/** The RegExp a segment name pattern stands for (see probeSegments). */
export function patternToRegExp(pattern: string): RegExp {
  let source = '';
  const tokens = /\$RepresentationID\$|\$Number(?:%0?(\d+)d)?\$|%0?(\d*)d|\*|\?|[^$%*?]+|./g;
  for (const [token, numberWidth, printfWidth] of pattern.matchAll(tokens)) {
    if (token === '*') source += '.*';
    else if (token === '?') source += '.';
    else if (token === '$RepresentationID$') source += '\\d+';
    else if (token.startsWith('$Number') || token.startsWith('%')) source += digits(numberWidth ?? printfWidth);
    else source += token.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

function digits(width: string | undefined): string {
  return width ? `\\d{${Number(width)},}` : '\\d+';
}

function compareNatural(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

async function probeSegment(dir: string, name: string, opts: ProbeSegmentsOptions): Promise<SegmentProbe> {
  const path = join(dir, name);
  const data = await readFile(path);
  const result: SegmentProbe = { name, path, size: data.length, ok: false, streams: [], packets: 0 };
  const headerName = typeof opts.header === 'function' ? opts.header(name) : opts.header;
  try {
    const input = headerName === undefined ? [data] : [await readFile(join(dir, headerName)), data];
    const args = ['-v', 'error', '-show_streams', '-show_entries', 'packet=stream_index,pts_time,duration_time', '-of', 'json', '-i', 'pipe:0'];
    const parsed = JSON.parse((await runToolWithInput('ffprobe', args, input)).stdout) as ProbeJson;
    Object.assign(result, timesOf(parsed), { ok: true, streams: (parsed.streams ?? []).map(streamFacts) });
  } catch (error) {
    result.error = (error as Error).message;
  }
  return result;
}

interface ProbeJson {
  streams?: FfprobeStream[];
  packets?: { stream_index: number; pts_time?: string; duration_time?: string }[];
}

/** Timestamps of the main stream (video if any, else the first) from its packets. */
function timesOf(parsed: ProbeJson): Partial<SegmentProbe> {
  const packets = parsed.packets ?? [];
  const main = (parsed.streams ?? []).find((s) => s.codec_type === 'video') ?? parsed.streams?.[0];
  let start = Infinity;
  let end = -Infinity;
  for (const p of packets) {
    const pts = Number(p.pts_time);
    if (p.stream_index !== main?.index || Number.isNaN(pts)) continue;
    start = Math.min(start, pts);
    end = Math.max(end, pts + (Number(p.duration_time) || 0));
  }
  if (start === Infinity) return { packets: packets.length };
  return { packets: packets.length, startTime: start, endTime: end, duration: end - start };
}
