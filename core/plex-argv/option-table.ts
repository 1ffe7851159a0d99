/**
 * What ffmpeg's option grammar says about each option name, as sets for this parser: read from
 * the one grammar (core/ffmpeg-grammar), which the worker's translation and sandbox read too.
 *
 * ffmpeg's rule: options in its own table are global or per-file and may be boolean; everything
 * else is an AVOption of a codec, muxer or scaler and always takes a value.
 */
import { allowedAvOptionNames, MAIN_OPTIONS, PLEX_AV_OPTIONS, REFUSED_AV_OPTIONS } from '../ffmpeg-grammar/index.ts';

export { OPTION_ALIASES } from '../ffmpeg-grammar/index.ts';

const mainNames = (test: (arity: string, scope: string) => boolean): Set<string> =>
  new Set([...MAIN_OPTIONS].filter(([, o]) => test(o.arity, o.scope)).map(([name]) => name));

/** Options that take no value (`flag` and `bool` arity); a `bool` one also has a `-no<name>` negation. */
export const FLAG_OPTIONS: ReadonlySet<string> = mainNames((arity) => arity === 'flag' || arity === 'bool');

/** Options whose `-no<name>` form exists and takes no value (bool, and 5.1's HAS_ARG|OPT_BOOL `-autorotate`). */
export const NEGATABLE_OPTIONS: ReadonlySet<string> = mainNames((arity) => arity === 'bool' || arity === 'boolValue');

/** Options that make ffmpeg print something and exit: capability queries. */
export const EXIT_OPTIONS: ReadonlySet<string> = mainNames((arity) => arity === 'exit');

/** Exit options take the next token as an optional value (`-h encoder=libx264`, `-sources pulse`). */
export const OPTIONAL_VALUE_OPTIONS: ReadonlySet<string> = EXIT_OPTIONS;

/** Options that apply to the whole run wherever they appear (ffmpeg's global options + Plex's). */
export const GLOBAL_OPTIONS: ReadonlySet<string> = mainNames((_arity, scope) => scope === 'global');

/** Value-taking options: ffmpeg's table and every AVOption the grammar knows (allowed, refused or Plex's). */
export const VALUE_OPTIONS: ReadonlySet<string> = new Set([
  ...mainNames((arity) => arity === 'value' || arity === 'boolValue'),
  ...allowedAvOptionNames(), ...REFUSED_AV_OPTIONS.keys(), ...PLEX_AV_OPTIONS,
]);

/** Families of muxer/codec AVOptions recognised by prefix (`-segment_list_unfinished`, `-hls_flags` …). */
export const VALUE_OPTION_PREFIXES: readonly string[] = [
  'segment_', 'hls_', 'dash_', 'mpegts_', 'rtsp_', 'frag_', 'x264', 'x265', 'nvenc', 'mov_', 'mkv_', 'reconnect',
];
