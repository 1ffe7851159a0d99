/**
 * argvPattern: the argv with session-specific values abstracted, so like requests group together.
 *
 * Rules, token by token:
 * - Option tokens stay as written (`-codec:0`, `-c:v`), and so do values that are names: codecs,
 *   formats, hwaccels, presets, pixel formats, `-x264opts` strings, filter names and keys.
 * - Paths → their class by extension: `<media>`, `<audio>`, `<image>`, `<srt>`, `<ass>`, `<vtt>`,
 *   `<sub>`, `<playlist>`, `<path>` (none), `<file>` (other). Bare output names without a slash
 *   (`media-%05d.ts`, `dash`, `nullfile`, `header`) are structure and stay.
 * - Loopback URLs → `<callback:progress>` / `<callback:manifest>` (by path shape) / `<callback>`;
 *   any other URL → `<url>`. UUIDs and long hex ids anywhere → `<id>`; `-eae_prefix` → `<id>`.
 * - Seek/duration values (`-ss`, `-t`, `-to`, `-sseof`, `-itsoffset`) → `<time>`, so two seeks of
 *   one stream group together. Bitrates (`-b`, `-maxrate`, `-minrate`, `-bufsize`) → `<bitrate>`.
 * - Resolutions (scaler `w`/`h`, `-s`) → a class like `<720p>` (see resolutionClass), so a 720p and
 *   a 1080p transcode differ while two titles of different aspect ratio at one quality group.
 * - Plain-number values → `<n>` (segment start numbers, probe sizes, crf/qp, frame rates), except
 *   for options whose numbers are structure (KEEP_NUMBERS: segment lengths, channels, sample rates,
 *   list sizes, 0/1 switches, stream indices). Numbers inside other filter arguments stay.
 * - `-metadata` values → `key=<v>` (titles and languages are not part of the job's shape).
 */
// SHA-1 in plain JavaScript: this runs in the cartridge's start-up, where node:crypto costs ~4 ms to load.
import { sha1Hex } from '../sha1.ts';
import { abstractTarget, looksLikePath, pathClass, replaceIds, resolutionClass } from './abstract-values.ts';
import { parseFilterGraph, type GraphFilter, type GraphParser } from './filter-graph.ts';
import { sizeFromFilters } from './stream-facts.ts';
import { tokenizeArgv, type TokenizedArgv } from './tokenize.ts';
import type { ArgvOption } from './types.ts';
import { parseSize } from './values.ts';

const TIME_OPTIONS: ReadonlySet<string> = new Set(['ss', 'sseof', 't', 'to', 'itsoffset', 'timestamp']);
const BITRATE_OPTIONS: ReadonlySet<string> = new Set(['b', 'maxrate', 'minrate', 'bufsize']);
const ID_OPTIONS: ReadonlySet<string> = new Set(['eae_prefix']);
const KEEP_NUMBERS: ReadonlySet<string> = new Set([
  'segment_time', 'seg_duration', 'hls_time', 'min_seg_duration', 'window_size', 'extra_window_size',
  'segment_list_size', 'hls_list_size', 'ac', 'ar', 'threads', 'individual_header_trailer',
  'write_header_trailer', 'segment_list_separate_stream_times', 'segment_list_unfinished', 'segment_copyts',
  'strict_ts', 'map_metadata', 'map_chapters', 'max_delay', 'segment_time_delta', 'time_delta', 'forced-idr',
  'hwaccel_fallback_threshold', 'copytb', 'reinit_filter', 'vsync', 'fps_mode', 'avoid_negative_ts', 'async',
  'g', 'bf', 'refs', 'level', 'profile', 'map', 'map_inlineass', 'frames', 'strict', 'loglevel',
  'loglevel_plex', 'use_template', 'use_timeline', 'single_file', 'streaming', 'ldash', 'remove_at_exit',
  'delete_removed', 'update', 'break_non_keyframes', 'sei', 'flags', 'stream_loop', 'skip_frame', 'channel',
]);
const SCALERS_WITH_SIZE = /^(scale|scale_\w+|zscale|vpp_qsv|vpp_amf|libplacebo)$/;
const SIZE_KEYS: ReadonlySet<string> = new Set(['w', 'width', 'h', 'height', 's', 'size']);
const PLAIN_NUMBER = /^-?(\d+(\.\d*)?|\.\d+)$/;

function renderFilter(filter: GraphFilter): string {
  let args = filter.args.map((arg) => {
    if (looksLikePath(arg.value)) return arg.key === null ? pathClass(arg.value) : `${arg.key}=${pathClass(arg.value)}`;
    return replaceIds(arg.raw);
  });
  if (SCALERS_WITH_SIZE.test(filter.name)) {
    const size = sizeFromFilters([filter]);
    const resolution = resolutionClass(size.width, size.height);
    if (resolution !== null) {
      const isSize = (key: string | null, value: string, i: number) =>
        key === null ? i < 2 && /^-?\d+(x\d+)?$/.test(value) : SIZE_KEYS.has(key);
      const kept = filter.args.flatMap((arg, i) => (isSize(arg.key, arg.value, i) ? [] : [args[i] as string]));
      args = [resolution, ...kept];
    }
  }
  const labels = (names: readonly string[]) => names.map((n) => `[${n}]`).join('');
  return `${labels(filter.inputs)}${filter.name}${args.length > 0 ? `=${args.join(':')}` : ''}${labels(filter.outputs)}`;
}

/** A filter graph with paths, ids and resolutions abstracted. */
export function abstractFilterGraph(graph: string, graphOf: GraphParser = parseFilterGraph): string {
  const chains: string[][] = [];
  for (const filter of graphOf(graph)) (chains[filter.chain] ??= []).push(renderFilter(filter));
  return chains.filter((chain) => chain !== undefined).map((chain) => chain.join(',')).join(';');
}

function abstractValue(option: ArgvOption, value: string, graphOf: GraphParser): string {
  const base = option.base;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return abstractTarget(value);
  if (TIME_OPTIONS.has(base)) return '<time>';
  if (BITRATE_OPTIONS.has(base)) return '<bitrate>';
  if (ID_OPTIONS.has(base)) return '<id>';
  if (base === 'metadata') return value.includes('=') ? `${value.slice(0, value.indexOf('='))}=<v>` : '<v>';
  if (base === 'filter_complex' || base === 'filter') return abstractFilterGraph(value, graphOf);
  if (base === 's') {
    const size = parseSize(value);
    if (size) return resolutionClass(size.width, size.height) ?? value;
  }
  if (PLAIN_NUMBER.test(value)) return KEEP_NUMBERS.has(base) ? value : '<n>';
  if (looksLikePath(value)) return pathClass(value);
  return replaceIds(value);
}

/** The pattern of an already tokenized argv (`graphOf` lets a parse share its parsed graphs). */
export function patternOf(argv: readonly string[], tokens: TokenizedArgv, graphOf: GraphParser = parseFilterGraph): string {
  const parts: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = String(argv[i]);
    const role = tokens.roles[i];
    const owner = tokens.owners[i];
    let part: string;
    if (role === 'option') part = token;
    else if (role === 'input' || role === 'output') part = abstractTarget(token);
    else part = owner ? abstractValue(owner, token, graphOf) : replaceIds(token);
    parts.push(/\s/.test(part) || part === '' ? JSON.stringify(part) : part);
  }
  return parts.join(' ');
}

/** The normalized pattern of an argv (rules above). */
export function argvPattern(argv: readonly string[]): string {
  return patternOf(argv, tokenizeArgv(argv));
}

/** A short stable id of a pattern: the first 12 hex characters of its sha1. */
export function patternIdOf(pattern: string): string {
  return sha1Hex(pattern).slice(0, 12);
}
