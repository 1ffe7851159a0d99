/** Builds the input facts: forced decoders, hwaccel, seek, sidecar subtitles. */
import type { ArgvFile } from './tokenize.ts';
import type { ArgvOption, Decoder, PlexInput } from './types.ts';
import { parseDuration } from './values.ts';

const SUBTITLE_EXTENSIONS: ReadonlySet<string> = new Set([
  'srt', 'ass', 'ssa', 'vtt', 'webvtt', 'smi', 'sami', 'sub', 'idx', 'sup', 'ttml', 'dfxp',
]);

/** True for `scheme://…` URLs (http, rtmp, udp …). */
export function isUrl(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
}

/** The lower-case extension of a path's last part (`.mp4.17581` counts as `mp4`); '' when none. */
export function extensionOf(path: string): string {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1).split(/[?#]/)[0] ?? '';
  const parts = base.toLowerCase().split('.');
  if (parts.length < 2) return '';
  const last = parts[parts.length - 1] as string;
  if (/^\d+$/.test(last) && parts.length > 2) return parts[parts.length - 2] as string;
  return last;
}

/** True for sidecar subtitle files by extension. */
export function isSubtitlePath(path: string): boolean {
  return SUBTITLE_EXTENSIONS.has(extensionOf(path));
}

/** The value of the last option with one of `bases` (ffmpeg: the last one wins). */
export function lastValue(options: readonly ArgvOption[], ...bases: string[]): string | null {
  for (let i = options.length - 1; i >= 0; i--) {
    const option = options[i] as ArgvOption;
    if (bases.includes(option.base) && option.value !== null) return option.value;
  }
  return null;
}

/** Builds one input's facts from its per-file options. */
export function buildInput(file: ArgvFile, index: number): PlexInput {
  const decoders: Decoder[] = [];
  for (const option of file.options) {
    if (option.base === 'codec' && option.value !== null) decoders.push({ spec: option.spec, codec: option.value });
  }
  return {
    index,
    argvIndex: file.argvIndex,
    path: file.target,
    format: lastValue(file.options, 'f'),
    decoders,
    hwaccel: lastValue(file.options, 'hwaccel'),
    hwaccelOutputFormat: lastValue(file.options, 'hwaccel_output_format'),
    hwaccelDevice: lastValue(file.options, 'hwaccel_device'),
    seekSeconds: parseDuration(lastValue(file.options, 'ss')),
    isSidecarSubtitle: isSubtitlePath(file.target),
    isUrl: isUrl(file.target),
    options: file.options,
  };
}
