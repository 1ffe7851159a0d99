/** What the transcode left in its session folder: the segments, and whether one reads back. */
import { readdirSync } from 'node:fs';
import { startChild } from './child.ts';

/** The outcome of reading one segment back with ffprobe. */
export interface SegmentProbe {
  /** The segment probed (with `header` before it, as Plex serves it). */
  name: string;
  ok: boolean;
  /** Codec names per stream, e.g. `['h264', 'aac']`. */
  codecs: string[];
  /** The video encoder that wrote it, from the stream's ENCODER tag (e.g. `h264_nvenc`), or null. */
  encoder: string | null;
  error: string | null;
}

/** The `media-NNNNN.ts` segments in `dir`, in order. */
export function listSegments(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => /^media-\d+\.ts$/.test(name)).sort();
  } catch {
    return [];
  }
}

/**
 * Probes `header` + `segment` (Plex's ssegment Matroska segments have no header of their own)
 * by byte concatenation, as a player receives them.
 */
export async function probeSegment(ffprobe: string, dir: string, segment: string, env: Record<string, string>): Promise<SegmentProbe> {
  const hasHeader = readdirSync(dir).includes('header');
  const input = hasHeader ? `concat:header|${segment}` : segment;
  const out: string[] = [];
  const child = startChild(ffprobe, ['-v', 'error', '-show_streams', '-of', 'json', input], { env, cwd: dir, onLine: (line) => out.push(line) });
  const { code } = await child.exited;
  const failed = (error: string): SegmentProbe => ({ name: segment, ok: false, codecs: [], encoder: null, error });
  if (code !== 0) return failed(child.stderr().trim().split('\n').at(-1) || `ffprobe exited ${code}`);
  let streams: { codec_type?: string; codec_name?: string; tags?: Record<string, string> }[];
  try {
    streams = (JSON.parse(out.join('\n')) as { streams?: typeof streams }).streams ?? [];
  } catch {
    return failed('ffprobe printed no JSON');
  }
  if (streams.length === 0) return failed('no streams');
  const video = streams.find((s) => s.codec_type === 'video');
  const tag = video?.tags?.ENCODER ?? video?.tags?.encoder ?? null;
  return { name: segment, ok: true, codecs: streams.map((s) => s.codec_name ?? '?'), encoder: tag === null ? null : (tag.split(' ').at(-1) ?? null), error: null };
}
