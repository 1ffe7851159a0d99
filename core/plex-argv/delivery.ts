/** How the main output is delivered: protocol (hls, dash, file …), container, segmenting facts. */
import type { Protocol, SegmentFacts } from './fact-types.ts';
import { extensionOf, isUrl, lastValue } from './inputs.ts';
import { isImageFormat } from './output-streams.ts';
import { guessFormat } from './outputs.ts';
import type { PlexOutput } from './types.ts';
import { parseDuration, parseNumber } from './values.ts';

const SEGMENT_MUXERS: ReadonlySet<string> = new Set(['ssegment', 'segment', 'stream_segment', 'hls', 'applehttp']);

/** The protocol of an output from its muxer and target. */
export function protocolOf(output: PlexOutput | undefined): Protocol {
  if (output === undefined) return 'none';
  const format = output.format ?? '';
  if (SEGMENT_MUXERS.has(format)) return 'hls';
  if (format === 'dash') return 'dash';
  if (output.isNullSink) return 'null';
  if (isImageFormat(format)) return 'images';
  if (output.target === '-' || output.target.startsWith('pipe:')) return 'pipe';
  if (isUrl(output.target) && !output.target.startsWith('file:')) return 'stream';
  return 'file';
}

/** What the media is wrapped in: the segment format for segmenters, else the muxer. */
export function containerOf(output: PlexOutput | undefined): string | null {
  if (output === undefined) return null;
  const format = output.format ?? '';
  const options = output.options;
  if (format === 'hls') return lastValue(options, 'hls_segment_type') ?? 'mpegts';
  if (SEGMENT_MUXERS.has(format)) {
    return lastValue(options, 'segment_format') ?? guessFormat(output.target) ?? (extensionOf(output.target) || null);
  }
  if (format === 'dash') return lastValue(options, 'dash_segment_type') ?? 'mp4';
  return output.format;
}

function integer(value: string | null): number | null {
  const number = parseNumber(value);
  return number === null ? null : Math.trunc(number);
}

/** Segment length, numbering and manifest of a segmenting output; null for other outputs. */
export function segmentsOf(output: PlexOutput | undefined): SegmentFacts | null {
  const protocol = protocolOf(output);
  if (output === undefined || (protocol !== 'hls' && protocol !== 'dash')) return null;
  const o = output.options;
  if (protocol === 'dash') {
    const legacyMicros = parseNumber(lastValue(o, 'min_seg_duration'));
    return {
      durationSeconds: parseDuration(lastValue(o, 'seg_duration')) ?? (legacyMicros === null ? null : legacyMicros / 1e6),
      startNumber: integer(lastValue(o, 'start_number')),
      skipToSegment: integer(lastValue(o, 'skip_to_segment')),
      manifest: lastValue(o, 'manifest_name') ?? output.target,
      listType: null,
    };
  }
  const isHlsMuxer = output.format === 'hls' || output.format === 'applehttp';
  return {
    durationSeconds: parseDuration(lastValue(o, 'segment_time', 'hls_time')),
    startNumber: integer(lastValue(o, 'segment_start_number', 'start_number')),
    skipToSegment: null,
    manifest: lastValue(o, 'segment_list') ?? (isHlsMuxer ? output.target : null),
    listType: lastValue(o, 'segment_list_type') ?? (isHlsMuxer ? 'm3u8' : null),
  };
}
