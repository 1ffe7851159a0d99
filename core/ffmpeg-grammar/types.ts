/** The vocabulary of the one ffmpeg grammar: how an option consumes argv, where it applies, what its value is. */

/**
 * How an option consumes the next token, as ffmpeg 5.1's `split_commandline` reads it:
 * `flag` none; `bool` none, and `-noNAME` is its negation; `value` always the next token;
 * `boolValue` the next token (a number, e.g. `-autorotate 0`: HAS_ARG|OPT_BOOL), while
 * `-noNAME` takes none; `exit` prints something and exits, taking the next token if any.
 */
export type Arity = 'flag' | 'bool' | 'value' | 'boolValue' | 'exit';

/** Where an option applies: the whole run, the next input, the next output, or either file. */
export type Scope = 'global' | 'input' | 'output' | 'file';

/**
 * What an option's value is. `plain` text or numbers; `number` must be an integer; `input`
 * the `-i` target; `read`/`write` a file ffmpeg opens; `template` a file name the muxer writes
 * relative to its output's folder; `url` a URL ffmpeg contacts; `filtergraph`; `format` a
 * muxer/demuxer; `codec`; `bsf` bitstream filters; `device` a hardware device spec; `dict`
 * nested `key=value:key=value` AVOptions; `params` an encoder's own `key=value` list;
 * `streams` the HLS `-var_stream_map`.
 */
export type ValueKind =
  | 'plain' | 'number' | 'input' | 'read' | 'write' | 'template' | 'url' | 'filtergraph' | 'format'
  | 'codec' | 'bsf' | 'device' | 'dict' | 'params' | 'streams';

/** One option of ffmpeg's own table (or of Plex's fork). */
export interface MainOption {
  readonly arity: Arity;
  readonly scope: Scope;
  /** What the value is; `plain` for options without one. */
  readonly kind: ValueKind;
  /** Why PlexBeam refuses it (it writes logs, reads presets, prints and exits …); absent when allowed. */
  readonly refused?: string;
  /** Only Plex's fork knows it: allowed in Plex's argv (the translation removes it), never in what runs. */
  readonly plexOnly?: true;
}

/** An AVOption (codec, format, protocol, scaler option): always takes a value. */
export interface AvOption {
  readonly kind: ValueKind;
  readonly refused?: string;
  readonly plexOnly?: true;
}

/** What the grammar says about one option token such as `-codec:0`, `-vcodec` or `-noautorotate`. */
export interface OptionInfo {
  /** As written, without the leading dash: `codec:0`. */
  readonly name: string;
  /** Alias-resolved, without specifier or `no` prefix: `codec` (also for `-vcodec`), `autorotate` for `-noautorotate`. */
  readonly base: string;
  /** Stream specifier after alias resolution (`0`, `v`, `a:0`); null when none. */
  readonly spec: string | null;
  /** True for `-noNAME` of a bool option. */
  readonly negated: boolean;
  /** Whether the next token is its value. */
  readonly takesValue: boolean;
  /** ffmpeg's table, an AVOption the grammar lists, or neither (ffmpeg would try it as an AVOption or fail). */
  readonly source: 'main' | 'av' | 'unknown';
  readonly arity: Arity;
  readonly scope: Scope;
  readonly kind: ValueKind;
  readonly refused: string | null;
  readonly plexOnly: boolean;
}
