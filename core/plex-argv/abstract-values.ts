/** Abstractions used by argvPattern: path classes, URL roles, ids, resolution classes. */
import { extensionOf, isUrl } from './inputs.ts';
import { isLoopbackUrl, urlPathRole } from './urls.ts';

const MEDIA_EXTENSIONS: ReadonlySet<string> = new Set([
  'mkv', 'mp4', 'm4v', 'avi', 'ts', 'm2ts', 'mts', 'm2t', 'mov', 'wmv', 'webm', 'flv', 'mpg', 'mpeg', 'vob',
  'iso', 'ogv', '3gp', 'divx', 'rmvb', 'rm', 'asf', 'wtv', 'dvr-ms', 'mxf', 'nut', 'y4m', 'mk3d',
]);
const AUDIO_EXTENSIONS: ReadonlySet<string> = new Set([
  'flac', 'mp3', 'm4a', 'aac', 'ogg', 'oga', 'opus', 'wav', 'wma', 'ac3', 'eac3', 'dts', 'alac', 'aif',
  'aiff', 'ape', 'mka', 'wv', 'dsf', 'dff', 'mp2', 'm4b', 'thd',
]);
const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['jpg', 'jpeg', 'png', 'bmp', 'webp', 'gif', 'tif', 'tiff']);
const SUBTITLE_CLASSES: Readonly<Record<string, string>> = {
  srt: '<srt>', ass: '<ass>', ssa: '<ass>', vtt: '<vtt>', webvtt: '<vtt>', smi: '<sub>', sami: '<sub>',
  sub: '<sub>', idx: '<sub>', sup: '<sub>', ttml: '<sub>', dfxp: '<sub>',
};

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const LONG_HEX = /\b[0-9a-f]{16,}\b/gi;
const EMBEDDED_URL = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"|,;\\]+/gi;

/** True for tokens that are file paths (absolute, home- or dot-relative, Windows drive or UNC). */
export function looksLikePath(text: string): boolean {
  return /^(\/|~\/|\.\.?\/|[A-Za-z]:[\\/]|\\\\)/.test(text);
}

/** A path's class by extension: `<media>`, `<audio>`, `<image>`, `<srt>`, `<ass>`, `<vtt>`, `<sub>`, `<playlist>`, `<path>`, `<file>`. */
export function pathClass(path: string): string {
  const ext = extensionOf(path);
  if (ext === '') return '<path>';
  const subtitle = SUBTITLE_CLASSES[ext];
  if (subtitle !== undefined) return subtitle;
  if (MEDIA_EXTENSIONS.has(ext)) return '<media>';
  if (AUDIO_EXTENSIONS.has(ext)) return '<audio>';
  if (IMAGE_EXTENSIONS.has(ext)) return '<image>';
  if (ext === 'm3u8' || ext === 'mpd') return '<playlist>';
  return '<file>';
}

/** `<callback:progress>`, `<callback:manifest>` or `<callback>` for loopback URLs (by path shape), else `<url>`. */
export function urlClass(url: string): string {
  if (!isLoopbackUrl(url)) return '<url>';
  const role = urlPathRole(url);
  return role === 'progress' || role === 'manifest' ? `<callback:${role}>` : '<callback>';
}

/** Replaces UUIDs and long hex session ids with `<id>` and embedded URLs with their class. */
export function replaceIds(text: string): string {
  let out = text;
  if (out.includes('://')) out = out.replace(EMBEDDED_URL, (url) => urlClass(url));
  return out.replace(UUID, '<id>').replace(LONG_HEX, '<id>');
}

/** A path or URL token (input, output, option value) in abstract form; simple relative names stay. */
export function abstractTarget(text: string): string {
  if (isUrl(text)) return urlClass(text);
  if (looksLikePath(text) || text.includes('/')) return pathClass(text);
  return replaceIds(text);
}

const STANDARD_HEIGHTS: readonly number[] = [240, 360, 480, 576, 720, 1080, 1440, 2160, 4320];

/**
 * A resolution class such as `<720p>`: the smallest standard 16:9 box that holds the frame (2 %
 * slack), so 1280x536 and 1280x720 (one Plex quality, two aspect ratios) group together.
 */
export function resolutionClass(width: number | null, height: number | null): string | null {
  const box = Math.max(height ?? 0, width === null ? 0 : Math.ceil((width * 9) / 16));
  if (box <= 0) return null;
  const standard = STANDARD_HEIGHTS.find((h) => box <= h + h / 50);
  return `<${standard ?? box}p>`;
}
