/** The summary facts of one invocation: what the session log records and dispatch decides on. */
import type { ArgvOption, PlexInput, PlexOutput, UnknownOption } from './types.ts';

/** What kind of job an invocation is (see classify.ts for the rules). */
export type InvocationKind =
  | 'video-transcode'
  | 'audio-only'
  | 'remux'
  | 'optimize'
  | 'detection'
  | 'capability-query'
  | 'unknown';

/** How the main output is delivered. */
export type Protocol = 'hls' | 'dash' | 'file' | 'images' | 'null' | 'pipe' | 'stream' | 'none';

/** The first video stream of the main output. */
export interface VideoFacts {
  /** Encoder (`libx264`, `hevc_vaapi`) or `copy`; null when ffmpeg picks its default. */
  readonly codec: string | null;
  /** Source codec (the forced decoder PMS named), when known. */
  readonly sourceCodec: string | null;
  /** Output width in pixels (scale filters or `-s`); null when not fixed by the argv. */
  readonly width: number | null;
  /** Output height in pixels. */
  readonly height: number | null;
  /** `-b:v` in bits per second. */
  readonly bitrate: number | null;
  /** `-maxrate` in bits per second. */
  readonly maxrate: number | null;
  /** `-bufsize` in bits. */
  readonly bufsize: number | null;
  /** `-crf`. */
  readonly crf: number | null;
  /** `-qp`. */
  readonly qp: number | null;
  /** `-r` in frames per second. */
  readonly frameRate: number | null;
  /** `-preset`. */
  readonly preset: string | null;
}

/** The first audio stream of the main output. */
export interface AudioFacts {
  /** Encoder (`aac`, `ac3`, `flac`) or `copy`. */
  readonly codec: string | null;
  /** Source codec (`eac3_eae`, `dca`), when known. */
  readonly sourceCodec: string | null;
  /** Channel count (`-ac`, `-channel_layout`, or the resampler's `ochl`). */
  readonly channels: number | null;
  /** Channel layout name as written (`5.1`, `stereo`). */
  readonly channelLayout: string | null;
  /** `-b:a` in bits per second. */
  readonly bitrate: number | null;
  /** `-ar` or the resampler's `osr`, in Hz. */
  readonly sampleRate: number | null;
}

/** Segmenting facts of the main output (HLS segment muxers, DASH). */
export interface SegmentFacts {
  /** Target segment length in seconds (`-segment_time`, `-seg_duration`, `-hls_time`). */
  readonly durationSeconds: number | null;
  /** Number of the first segment written (`-segment_start_number`, `-start_number`). */
  readonly startNumber: number | null;
  /** DASH `-skip_to_segment`. */
  readonly skipToSegment: number | null;
  /** Where the segment list / manifest goes (`-segment_list`, `-manifest_name`, or the target). */
  readonly manifest: string | null;
  /** `-segment_list_type` (e.g. `csv`). */
  readonly listType: string | null;
}

/** A URL found in the argv. */
export interface ArgvUrl {
  /** The URL as written. */
  readonly url: string;
  /** The option it is the value of (`progressurl`, `segment_list`, `i`); null for an output target. */
  readonly option: string | null;
  /** argv index of the token holding it. */
  readonly argvIndex: number;
  /** What it is for: from the option, else from the path shape. */
  readonly role: 'progress' | 'manifest' | 'input' | 'output' | 'other';
  /** True when the URL sits inside a longer token (e.g. a filter argument). */
  readonly embedded: boolean;
}

/** A subtitle burned into the video. */
export interface SubtitleBurnIn {
  /** How: Plex's `inlineass`, stock `subtitles=`/`ass=`, or an `overlay` of an image subtitle stream. */
  readonly kind: 'inlineass' | 'subtitles' | 'ass' | 'overlay';
  /** The filter name as written (`inlineass`, `overlay_vaapi` …). */
  readonly filter: string;
  /** The subtitle stream (from `-map_inlineass` or the overlay's input), when known. */
  readonly stream: string | null;
  /** Input file number holding the subtitle, when known. */
  readonly input: number | null;
  /** Path of the subtitle file, when it is one. */
  readonly path: string | null;
  /** True when the subtitle comes from a sidecar file rather than the media file. */
  readonly sidecar: boolean;
}

/** HDR → SDR tone mapping. */
export interface ToneMapping {
  /** True when any tone-mapping filter is present. */
  readonly enabled: boolean;
  /** The filters doing it, in graph order (`tonemap_cuda`; `zscale` + `tonemap`). */
  readonly filters: readonly string[];
}

/** Hardware acceleration named in the argv. */
export interface HardwareFacts {
  /** `-hwaccel` values of the inputs (`vaapi`, `nvdec`, `qsv` …). */
  readonly hwaccels: readonly string[];
  /** `-init_hw_device` values as written. */
  readonly devices: readonly string[];
  /** `-filter_hw_device`. */
  readonly filterDevice: string | null;
  /** Forced hardware decoders (`h264_cuvid`, `hevc_qsv` …). */
  readonly decoders: readonly string[];
  /** Hardware encoders in use (`hevc_vaapi`, `h264_nvenc` …). */
  readonly encoders: readonly string[];
  /** Hardware filters in the graphs (`hwupload`, `scale_vaapi`, `tonemap_cuda` …). */
  readonly filters: readonly string[];
  /** APIs actually used by decode, filters or encode (`vaapi`, `cuda`, `qsv` …); empty = software. */
  readonly apis: readonly string[];
}

/** Everything parsePlexArgv knows about one invocation. */
export interface PlexInvocation {
  /** Job classification. */
  readonly kind: InvocationKind;
  /** Options that apply to the whole run (`-y`, `-filter_complex`, `-progressurl` …). */
  readonly globalOptions: readonly ArgvOption[];
  /** The `-i` inputs in order. */
  readonly inputs: readonly PlexInput[];
  /** The outputs in order (null sinks included). */
  readonly outputs: readonly PlexOutput[];
  /** Per-file options after the last output, which ffmpeg ignores. */
  readonly trailingOptions: readonly ArgvOption[];
  /** Seek offset in seconds (`-ss` of the main input, else of the main output). */
  readonly seekSeconds: number | null;
  /** `-t` duration limit in seconds. */
  readonly durationSeconds: number | null;
  /** First video stream of the main output. */
  readonly video: VideoFacts | null;
  /** First audio stream of the main output. */
  readonly audio: AudioFacts | null;
  /** The main output's `-f` (`ssegment`, `dash`, `mp4` …). */
  readonly format: string | null;
  /** How the main output is delivered. */
  readonly protocol: Protocol;
  /** What the media is wrapped in (`matroska`, `mpegts`, `mp4`, `image2`, `flac`, `null` …). */
  readonly container: string | null;
  /** Segmenting facts, for segmenting protocols. */
  readonly segments: SegmentFacts | null;
  /** Loopback http(s) URLs: callbacks to Plex. */
  readonly callbackUrls: readonly ArgvUrl[];
  /** Every other URL (LAN progress URLs, live TV inputs …). */
  readonly remoteUrls: readonly ArgvUrl[];
  /** Burned-in subtitle, if any. */
  readonly subtitleBurnIn: SubtitleBurnIn | null;
  /** HDR tone mapping. */
  readonly toneMapping: ToneMapping;
  /** Hardware acceleration. */
  readonly hardware: HardwareFacts;
  /** Options with no table entry (parsing went on, assuming ffmpeg's AVOption grammar). */
  readonly unknownOptions: readonly UnknownOption[];
  /** Things ffmpeg would complain about (a missing value, options after the last output …). */
  readonly warnings: readonly string[];
  /** The normalized argv (see pattern.ts). */
  readonly pattern: string;
  /** First 12 hex characters of the pattern's sha1. */
  readonly patternId: string;
}
