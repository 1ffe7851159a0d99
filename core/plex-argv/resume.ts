/**
 * Resuming a segmented transcode from a given segment, the way Plex's own seek-restarts start
 * one: the same argv with an input-side `-ss` at that segment's start, the segment numbering
 * starting there (`-segment_start_number` for HLS/ssegment, `-skip_to_segment` for DASH), no
 * `-fps_mode cfr` (it would fill from 0 to the seek point with repeated frames), and the header
 * (`-segment_header_filename`) or DASH init files written under a name of their own, so the
 * ones Plex already serves are never rewritten. Timestamps continue as in Plex's seek-restarts
 * (`-copyts` is kept). Node built-ins only: it is in the cartridge's resume chunk.
 */
import { posix } from 'node:path';
import { splitFfmpegArgv, type GrammarFile, type GrammarOption } from '../ffmpeg-grammar/index.ts';
import { parseDuration } from './values.ts';

/** What resuming a segmented output needs to know about its argv. */
export interface ResumeFacts {
  kind: 'hls' | 'dash';
  /** Number of the first segment this argv writes (`-segment_start_number`, `-skip_to_segment`). */
  firstNumber: number;
  /** The segment length Plex asked for, in seconds. */
  segmentSeconds: number;
  /** The input-side seek of the argv (seconds), 0 when none. */
  seek: number;
  /** True when the video is copied (segments cut at the source's keyframes, not every `segmentSeconds`). */
  videoCopy: boolean;
  /** The path (no query) of the URL Plex receives the segment list or manifest at; null when the list is a file. */
  listPath: string | null;
  /** The segment file name pattern (`media-%05d.ts`; DASH: the `-media_seg_name` template). */
  pattern: string;
  /** The folder the output's files are written in (relative to the transcode's cwd, or absolute). */
  folder: string;
}

/** Where a resumed run starts. */
export interface ResumePoint {
  /** The first segment number the resumed run writes. */
  segment: number;
  /** The media time it starts at (seconds, the argv's `-ss` scale). */
  time: number;
}

const SEGMENTERS = new Set(['ssegment', 'stream_segment', 'segment']);
/** Stock defaults: the segment muxer cuts every 2 s, dashenc every 5 s. */
const DEFAULT_SECONDS = { hls: 2, dash: 5 } as const;

/** The options of `file` named `name` (any stream specifier), last one last. */
function named(file: GrammarFile, name: string): GrammarOption[] {
  return file.options.filter((o) => o.info.base === name);
}

function last(file: GrammarFile, ...names: string[]): string | null {
  const values = file.options.filter((o) => names.includes(o.info.base) && o.value !== null);
  return values.at(-1)?.value ?? null;
}

/** The segmented output of `argv` (the first ssegment/segment or DASH output), or null. */
function segmentedOutput(argv: readonly string[]): { file: GrammarFile; kind: 'hls' | 'dash' } | null {
  for (const file of splitFfmpegArgv(argv).files) {
    if (file.kind !== 'output') continue;
    const format = last(file, 'f');
    if (format !== null && SEGMENTERS.has(format)) return { file, kind: 'hls' };
    if (format === 'dash') return { file, kind: 'dash' };
  }
  return null;
}

/** The resume facts of `argv`, or null when it writes no segmented output (nothing to resume mid-file). */
export function resumeFactsOf(argv: readonly string[]): ResumeFacts | null {
  const found = segmentedOutput(argv);
  if (found === null) return null;
  const { file, kind } = found;
  const split = splitFfmpegArgv(argv);
  const firstInput = split.files.find((f) => f.kind === 'input');
  const seek = firstInput === undefined ? 0 : (parseDuration(last(firstInput, 'ss')) ?? 0);
  const number = Number(kind === 'hls' ? (last(file, 'segment_start_number', 'start_number') ?? '0') : (last(file, 'skip_to_segment') ?? '1'));
  const seconds = parseDuration(kind === 'hls' ? last(file, 'segment_time') : last(file, 'seg_duration'));
  const list = kind === 'hls' ? last(file, 'segment_list') : last(file, 'manifest_name');
  let listPath: string | null = null;
  try {
    listPath = list !== null && /^https?:\/\//i.test(list) ? new URL(list).pathname : null;
  } catch {
    listPath = null;
  }
  // The video's codec: `-c:v`, `-codec:0`, `-vcodec` (Plex maps the video first).
  const videoCopy = file.options.some((o) => o.info.base === 'codec' && o.value === 'copy' && (o.info.spec === 'v' || o.info.spec === '0' || o.info.spec === 'v:0'));
  return {
    kind,
    firstNumber: Number.isInteger(number) ? number : kind === 'hls' ? 0 : 1,
    segmentSeconds: seconds !== null && seconds > 0 ? seconds : DEFAULT_SECONDS[kind],
    seek,
    videoCopy,
    listPath,
    pattern: kind === 'hls' ? posix.basename(file.target) : (last(file, 'media_seg_name') ?? 'chunk-stream$RepresentationID$-$Number%05d$.$ext$'),
    folder: posix.dirname(file.target),
  };
}

/** The media time segment `segment` starts at: the seek plus whole segments (Plex forces a keyframe at each). */
export function segmentStart(facts: ResumeFacts, segment: number): number {
  return facts.seek + Math.max(0, segment - facts.firstNumber) * facts.segmentSeconds;
}

/** A seconds value as ffmpeg reads it, without float noise (`12.5`, `1816`). */
function seconds(value: number): string {
  return String(Math.round(value * 1e6) / 1e6);
}

/**
 * The argv that resumes `argv` at `point` (resume number `attempt`, 1 or 2, names the header or
 * init files it writes). Everything else stays as Plex wrote it.
 */
export function resumeArgv(argv: readonly string[], facts: ResumeFacts, point: ResumePoint, attempt: number): string[] {
  const split = splitFfmpegArgv(argv);
  const found = segmentedOutput(argv);
  if (found === null) throw new Error('not a segmented transcode: nothing to resume from a segment');
  const drop = new Set<number>();
  const replace = new Map<number, string>();
  /** Tokens inserted before an argv index. */
  const before = new Map<number, string[]>();
  const insert = (index: number, ...tokens: string[]) => before.set(index, [...(before.get(index) ?? []), ...tokens]);
  const remove = (option: GrammarOption) => {
    drop.add(option.index);
    if (option.valueIndex >= 0) drop.add(option.valueIndex);
  };
  const ss = seconds(point.time);
  for (const file of split.files) {
    if (file.kind !== 'input') continue;
    // Every input seeks to the same point (Plex's seek-restarts put `-ss` before the media and its sidecar alike).
    // One already there (a seek-restart resumed) takes the new value where it is; others go.
    const seeks = named(file, 'ss').filter((o) => o.valueIndex >= 0);
    for (const option of seeks.slice(0, -1)) remove(option);
    const kept = seeks.at(-1);
    if (kept === undefined) insert(file.targetIndex - 1, '-ss', ss);
    else replace.set(kept.valueIndex, ss);
  }
  // `-fps_mode cfr` (or `-vsync cfr`/`1`) would pad from 0 to the seek with repeated frames.
  for (const option of [...split.globals, ...split.files.flatMap((f) => f.options)]) {
    if ((option.info.base === 'fps_mode' || option.info.base === 'vsync') && (option.value === 'cfr' || option.value === '1')) remove(option);
  }
  const out = found.file;
  const numberOption = found.kind === 'hls' ? 'segment_start_number' : 'skip_to_segment';
  const numbering = named(out, numberOption).filter((o) => o.valueIndex >= 0);
  if (found.kind === 'hls') for (const option of named(out, 'start_number')) remove(option);
  if (numbering.length > 0) for (const option of numbering) replace.set(option.valueIndex, String(point.segment));
  else insert(out.targetIndex, `-${numberOption}`, String(point.segment));
  const tag = `plexbeam-resume${attempt}`;
  if (found.kind === 'hls') {
    for (const option of named(out, 'segment_header_filename')) {
      if (option.value !== null) replace.set(option.valueIndex, `${option.value.replace(/\.plexbeam-resume\d+$/, '')}.${tag}`);
    }
  } else {
    const init = named(out, 'init_seg_name').filter((o) => o.valueIndex >= 0);
    // The prefix goes on the file name, not on a folder the name may start with; a resumed
    // argv resumed again gets the new prefix instead of a second one.
    const prefixed = (name: string) => name.replace(/(^|\/)(?:plexbeam-resume\d+-)?([^/]*)$/, `$1${tag}-$2`);
    if (init.length > 0) for (const option of init) replace.set(option.valueIndex, prefixed(option.value ?? ''));
    else insert(out.targetIndex, '-init_seg_name', `${tag}-init-stream$RepresentationID$.$ext$`);
  }
  const result: string[] = [];
  argv.forEach((token, index) => {
    result.push(...(before.get(index) ?? []));
    if (!drop.has(index)) result.push(replace.get(index) ?? token);
  });
  return result;
}

/** The names (relative to the output's folder) of the header or init files a resumed run writes beside Plex's; the cartridge removes them after. */
export function resumeSideFiles(resumed: readonly string[]): string[] {
  const found = segmentedOutput(resumed);
  if (found === null) return [];
  const name = found.kind === 'hls' ? last(found.file, 'segment_header_filename') : last(found.file, 'init_seg_name');
  return name !== null && /plexbeam-resume\d/.test(name) ? [name] : [];
}
