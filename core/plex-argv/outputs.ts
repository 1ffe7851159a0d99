/** Builds the output facts: muxer, null sinks, and each output's streams. */
import type { GraphFilter, GraphParser } from './filter-graph.ts';
import { extensionOf, isUrl, lastValue } from './inputs.ts';
import { buildStreams } from './output-streams.ts';
import type { ArgvFile } from './tokenize.ts';
import type { OutputStream, PlexInput, PlexOutput } from './types.ts';

/** What ffmpeg would pick from a target's extension when there is no `-f`. */
const FORMAT_BY_EXTENSION: Readonly<Record<string, string>> = {
  ts: 'mpegts', m2ts: 'mpegts', mts: 'mpegts', mkv: 'matroska', mka: 'matroska', mks: 'matroska',
  mp4: 'mp4', m4v: 'mp4', m4a: 'ipod', mov: 'mov', webm: 'webm', flac: 'flac', mp3: 'mp3', aac: 'adts',
  ac3: 'ac3', eac3: 'eac3', wav: 'wav', ogg: 'ogg', opus: 'opus', m3u8: 'hls', mpd: 'dash',
  jpg: 'image2', jpeg: 'image2', png: 'image2', bmp: 'image2', webp: 'image2', srt: 'srt', ass: 'ass',
  ssa: 'ass', vtt: 'webvtt', nut: 'nut', avi: 'avi', flv: 'flv', mpg: 'mpeg', mpeg: 'mpeg',
};

/** The muxer ffmpeg would guess for `target` (null when it could not tell either). */
export function guessFormat(target: string): string | null {
  if (target === '-' || target.startsWith('pipe:')) return null;
  if (isUrl(target) && !/^(https?|file):/i.test(target)) return null;
  return FORMAT_BY_EXTENSION[extensionOf(target)] ?? null;
}

/** The outputs, plus the filters on each stream's path (for the video/audio facts). */
export interface BuiltOutputs {
  readonly outputs: readonly PlexOutput[];
  readonly paths: ReadonlyMap<OutputStream, readonly GraphFilter[]>;
}

/** Builds every output from the tokenized files. */
export function buildOutputs(
  files: readonly ArgvFile[],
  inputs: readonly PlexInput[],
  graphs: readonly (readonly GraphFilter[])[],
  graphOf: GraphParser,
): BuiltOutputs {
  const paths = new Map<OutputStream, readonly GraphFilter[]>();
  const outputs = files.map((file, index): PlexOutput => {
    const format = lastValue(file.options, 'f') ?? guessFormat(file.target);
    return {
      index,
      argvIndex: file.argvIndex,
      target: file.target,
      format,
      isNullSink: format === 'null' || file.target === '/dev/null',
      options: file.options,
      streams: buildStreams(file.options, format, inputs, graphs, graphOf, paths),
    };
  });
  return { outputs, paths };
}

/** The outputs that matter: every output that is not a null sink (all of them when all are). */
export function mainOutputs(outputs: readonly PlexOutput[]): readonly PlexOutput[] {
  const real = outputs.filter((output) => !output.isNullSink);
  return real.length > 0 ? real : outputs;
}
