// Types shared by the translation: the worker's context, the result, post-processing descriptors.

/** The acceleration the worker's probe chose. */
export type Backend = 'nvenc' | 'qsv' | 'vaapi' | 'software';

/** One stream as ffprobe describes it (only the fields the translation reads). */
export interface ProbedStream {
  index: number;
  codec_type: string;
  codec_name: string;
  pix_fmt?: string;
  color_transfer?: string;
}

/** ffprobe facts for one input, in argv order. */
export interface ProbedInput {
  streams: readonly ProbedStream[];
  duration?: number;
}

/** What the worker knows when it translates a job. */
export interface TranslateContext {
  backend: Backend;
  /** Encoders the probe found working; empty means "assume the backend's usual ones". */
  encoders: readonly string[];
  vaapiDevice?: string;
  cudaDevice?: string;
  fontsDir?: string;
  /** Rewrites a loopback callback URL to the worker's capture endpoint (identity by default). */
  callbackBase?: (url: string) => string;
  /** Tells this job's staging folders (`.plexbeam-stage-<tag>-N`) from another job's in the same folder. */
  stageTag?: string;
  /** ffprobe of each input (same order as `-i`), when the worker has it. */
  inputs?: readonly (ProbedInput | undefined)[];
}

/** An option the translation removed, for logs and docs. */
export interface Dropped {
  option: string;
  value: string | null;
  reason: string;
}

/** Publish stream-segmenter output the way Plex's segmenter does (see post/segment-publisher.ts). */
export interface SegmentPublishDesc {
  kind: 'ssegment';
  /** Directory (relative to cwd) ffmpeg writes segments, header and its own CSV list into. */
  stageDir: string;
  /** Final segment name pattern (printf-style, relative to cwd), e.g. `media-%05d.ts`. */
  pattern: string;
  /** Header file name relative to cwd (matroska ssegment), or null. */
  headerFile: string | null;
  /** ffmpeg's local CSV list, relative to cwd. */
  localList: string;
  /** Where Plex wants the CSV list (already passed through callbackBase), or null. */
  listUrl: string | null;
  /** A local file Plex wants the CSV list in (relative to cwd), or null. */
  listFile: string | null;
  /** Seconds added to ffmpeg's list times (0 unless timestamps were rebased). */
  timeOffset: number;
  /** Start of the first segment when ffmpeg reports 0 for it after a seek (the `-ss`). */
  firstStart: number;
  separateStreamTimes: boolean;
  /** Plex's `-segment_list_size`: each delivery lists only the last this many segments (0: all, ffmpeg's default). */
  listSize: number;
}

/** Publish DASH output: renumber after a seek, patch `tfdt`, deliver the manifest. */
export interface DashPublishDesc {
  kind: 'dash';
  stageDir: string;
  /** The manifest ffmpeg writes inside stageDir (basename). */
  manifestName: string;
  /** Where Plex wants the manifest (after callbackBase), or null to write it to `localManifest`. */
  manifestUrl: string | null;
  localManifest: string | null;
  /** Plex's `-skip_to_segment`: number of the first chunk. */
  firstNumber: number;
  /** Seconds chunk times move by: the `-ss` of a seek with -copyts (stock rebases them to 0). */
  seekOffset: number;
  initTemplate: string;
  mediaTemplate: string;
}

/** A fix applied after or while ffmpeg runs. */
export type PostProcessDesc = SegmentPublishDesc | DashPublishDesc;

/** The stock-ffmpeg job. */
export interface TranslateResult {
  /** ffmpeg argv without the program name, nor `-nostdin -progress pipe:3` (the worker's runner adds those). */
  argv: string[];
  /** Plex's original `-progressurl` (after callbackBase), for the progress emulator. */
  progressUrl: string | null;
  /** The CSV segment list the publisher delivers, when the job has one. */
  segmentList: { url: string | null; file: string | null; localList: string; separateStreamTimes: boolean } | null;
  postProcess: PostProcessDesc[];
  /** Seconds of the first input's `-ss`. */
  seekOffset: number;
  /** Seconds to add to ffmpeg's out_time for the source position: the seek (out_time starts at 0 even with -copyts). */
  progressOffset: number;
  /** `-t` / `-to` limit of the main output in seconds, if any. */
  durationLimit: number | null;
  dropped: Dropped[];
  warnings: string[];
}
