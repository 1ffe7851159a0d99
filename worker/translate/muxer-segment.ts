// Plex's stream segmenter (`-f ssegment`/`segment`): stage the output and publish it Plex's way.
import { posix } from 'node:path';
import { lastValue, removeOptions, setOption, type FileArgs } from './argv-model.ts';
import type { Dropped, SegmentPublishDesc } from './types.ts';

/** Segment-muxer options that only Plex's fork knows; the publisher emulates each. */
const PRIVATE: Record<string, string> = {
  segment_list_separate_stream_times: 'Plex-only; the publisher writes the end_audio/end_video CSV columns',
  segment_list_unfinished: "Plex-only; the publisher lists only finished segments (PMS skips Plex's '#' rows)",
  segment_copyts: 'Plex-only (2016); stock keeps -copyts timestamps in segments by itself',
};

/** Timeline facts the segmenter translation needs. */
export interface SegmentTimeline {
  seekOffset: number;
  copyts: boolean;
}

/** True for the muxer names Plex uses for HLS-style segmenting. */
export const isSegmentMuxer = (format: string | undefined): boolean =>
  format === 'ssegment' || format === 'stream_segment' || format === 'segment';

/** Rewrites one segmenter output to write into a staging folder; returns what to publish. */
export function translateSegmentOutput(out: FileArgs, stageId: string, timeline: SegmentTimeline,
  rehome: (url: string) => string, dropped: Dropped[]): SegmentPublishDesc {
  const separate = lastValue(out.options, ['segment_list_separate_stream_times']);
  const listSize = Number(lastValue(out.options, ['segment_list_size']) ?? 0);
  for (const o of removeOptions(out.options, (o) => o.name in PRIVATE)) {
    dropped.push({ option: `-${o.name}`, value: o.value, reason: PRIVATE[o.name] ?? '' });
  }
  const list = lastValue(out.options, ['segment_list']);
  const isUrl = list !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(list);
  const stageDir = posix.join(posix.dirname(out.url), `.plexbeam-stage-${stageId}`);
  const localList = posix.join(stageDir, 'segments.csv');
  // Partial segments must never be visible: ffmpeg writes into the stage, the publisher renames.
  setOption(out.options, 'segment_list', null, localList);
  setOption(out.options, 'segment_list_type', null, 'csv');
  setOption(out.options, 'segment_list_size', null, '0');
  const header = lastValue(out.options, ['segment_header_filename']);
  if (header !== undefined) setOption(out.options, 'segment_header_filename', null, posix.join(stageDir, posix.basename(header)));
  const pattern = out.url;
  out.url = posix.join(stageDir, posix.basename(out.url));
  if (list !== undefined) {
    dropped.push({ option: '-segment_list', value: list, reason: 'ffmpeg writes a local CSV; the publisher delivers Plex-format rows' });
  }
  return {
    kind: 'ssegment',
    stageDir,
    pattern,
    headerFile: header ?? null,
    localList,
    listUrl: isUrl && list ? rehome(list) : null,
    listFile: !isUrl && list !== undefined ? list : null,
    timeOffset: 0,
    // Stock reports 0 as the first segment's start after `-ss` with `-copyts`; Plex reports the seek.
    firstStart: timeline.copyts ? timeline.seekOffset : 0,
    separateStreamTimes: separate !== undefined && separate !== '0',
    listSize: Number.isInteger(listSize) && listSize > 0 ? listSize : 0,
  };
}
