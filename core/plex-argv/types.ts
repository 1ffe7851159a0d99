/** The facts parsePlexArgv reads out of a `Plex Transcoder` command line. */

/** One option occurrence in the argv, e.g. `-codec:0 av1`. */
export interface ArgvOption {
  /** The option as written, without the leading dash: `codec:0`, `vcodec`. */
  readonly name: string;
  /** The option with aliases resolved and the stream specifier removed: `codec` (also for `-vcodec`). */
  readonly base: string;
  /** Its stream specifier after alias resolution (`0`, `v`, `a:0`, `s:0`); null when it has none. */
  readonly spec: string | null;
  /** Its value; null for options that take none, or when the argv ended before the value. */
  readonly value: string | null;
  /** argv index of the option token (its value, if any, is at index + 1). */
  readonly index: number;
}

/** An option this parser has no table entry for (ffmpeg would try it as an AVOption). */
export interface UnknownOption {
  /** The option as written, without the leading dash. */
  readonly name: string;
  /** argv index of the option token. */
  readonly index: number;
}

/** What a stream carries. */
export type StreamKind = 'video' | 'audio' | 'subtitle' | 'data' | 'unknown';

/** A stream of an input file, as `0:1` or `1:s:0` name it. */
export interface StreamRef {
  /** The input file number (the `0` in `0:1`). */
  readonly input: number;
  /** The specifier inside that file (`1`, `v:0`, `s:0`, `#0x01`); empty for the whole file. */
  readonly spec: string;
}

/** A decoder forced on input streams (`-codec:0 av1` before `-i`): the source codec. */
export interface Decoder {
  /** Stream specifier inside the input (`0`, `v`); null for all streams. */
  readonly spec: string | null;
  /** Codec name as Plex wrote it (`av1`, `eac3_eae`, `libdav1d`). */
  readonly codec: string;
}

/** One `-i` and the options before it. */
export interface PlexInput {
  /** Input file number (0 for the first `-i`). */
  readonly index: number;
  /** argv index of the path/URL token. */
  readonly argvIndex: number;
  /** The path or URL. */
  readonly path: string;
  /** Forced demuxer (`-f` before `-i`); null when ffmpeg probes. */
  readonly format: string | null;
  /** Forced decoders, i.e. the source codecs PMS already knows. */
  readonly decoders: readonly Decoder[];
  /** `-hwaccel` (e.g. `vaapi`, `nvdec`, `qsv`); null for software decode. */
  readonly hwaccel: string | null;
  /** `-hwaccel_output_format` (e.g. `vaapi`, `cuda`). */
  readonly hwaccelOutputFormat: string | null;
  /** `-hwaccel_device` (a device name or path). */
  readonly hwaccelDevice: string | null;
  /** `-ss` before this input, in seconds. */
  readonly seekSeconds: number | null;
  /** True for a sidecar subtitle file (.srt, .ass, .ssa, .vtt …). */
  readonly isSidecarSubtitle: boolean;
  /** True when the input is a URL rather than a file. */
  readonly isUrl: boolean;
  /** Every per-file option written before this `-i`. */
  readonly options: readonly ArgvOption[];
}

/** One stream of an output file. */
export interface OutputStream {
  /** Stream index inside its output (what `-codec:1` addresses). */
  readonly index: number;
  /** What it carries. */
  readonly kind: StreamKind;
  /** The `-map` value (`[4]`, `0:0`); null when ffmpeg's default stream selection made it. */
  readonly map: string | null;
  /** The input stream feeding it, traced through filter graphs (main pads only). */
  readonly source: StreamRef | null;
  /** Encoder (`hevc_vaapi`, `aac`) or `copy`; null when none is named (ffmpeg's default). */
  readonly codec: string | null;
  /** The forced decoder of `source`, when PMS named one. */
  readonly sourceCodec: string | null;
  /** Filter names on its path, upstream first (filter graph then `-vf`/`-af`). */
  readonly filters: readonly string[];
}

/** One output file or URL and the options before it. */
export interface PlexOutput {
  /** Output number (0 for the first). */
  readonly index: number;
  /** argv index of the target token. */
  readonly argvIndex: number;
  /** The path, name template (`media-%05d.ts`) or URL. */
  readonly target: string;
  /** The `-f` muxer, or one guessed from the target's extension. */
  readonly format: string | null;
  /** True for a `-f null` (or /dev/null) sink, e.g. Plex's subtitle decode sink. */
  readonly isNullSink: boolean;
  /** Every per-file option written before the target (muxer options included). */
  readonly options: readonly ArgvOption[];
  /** Its streams, in output order. */
  readonly streams: readonly OutputStream[];
}
