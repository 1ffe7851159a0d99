/**
 * ffmpeg 5.1's own option table (fftools `options[]`, as `ffmpeg -h full` lists it and as its
 * `split_commandline` parses it), plus the options of Plex's fork (`//PLEX` block, `-strict_ts`).
 * test/core/ffmpeg-grammar/binary.test.ts checks every entry's arity against the real binary.
 */
import type { Arity, MainOption, Scope, ValueKind } from './types.ts';

const LOG_FILE = 'writes a log or statistics file';
const PRESET = 'reads a preset file';
const EXITS = 'prints information and exits';

function opt(arity: Arity, scope: Scope, kind: ValueKind = 'plain', refused?: string): MainOption {
  return refused === undefined ? { arity, scope, kind } : { arity, scope, kind, refused };
}
const flag = (scope: Scope, refused?: string): MainOption => opt('flag', scope, 'plain', refused);
const bool = (scope: Scope): MainOption => opt('bool', scope);
const value = (scope: Scope, kind: ValueKind = 'plain', refused?: string): MainOption => opt('value', scope, kind, refused);
const plex = (arity: Arity, scope: Scope, kind: ValueKind = 'plain'): MainOption => ({ arity, scope, kind, plexOnly: true });
const exit: MainOption = opt('exit', 'global', 'plain', EXITS);

/** Every option of ffmpeg 5.1's table and of Plex's fork, by name (without dash or specifier). */
export const MAIN_OPTIONS: ReadonlyMap<string, MainOption> = new Map<string, MainOption>([
  // Print help / information / capabilities (OPT_EXIT: ffmpeg takes the next token, prints, exits).
  ...['L', 'h', '?', 'help', '-help', 'version', 'buildconf', 'formats', 'muxers', 'demuxers', 'devices', 'codecs',
    'decoders', 'encoders', 'bsfs', 'protocols', 'filters', 'pix_fmts', 'layouts', 'sample_fmts', 'dispositions',
    'colors', 'sources', 'sinks', 'hwaccels'].map((name) => [name, exit] as const),
  // Global options.
  ['loglevel', value('global')], ['v', value('global')], ['report', flag('global', LOG_FILE)],
  ['max_alloc', value('global')], ['y', bool('global')], ['n', bool('global')], ['ignore_unknown', bool('global')],
  ['filter_threads', value('global')], ['filter_complex_threads', value('global')], ['stats', bool('global')],
  ['max_error_rate', value('global')], ['vol', value('global')], ['cpuflags', value('global')],
  ['cpucount', value('global')], ['hide_banner', bool('global')], ['copy_unknown', bool('global')],
  ['recast_media', bool('global')], ['benchmark', bool('global')], ['benchmark_all', bool('global')],
  ['progress', value('global', 'write', "the worker reads ffmpeg's progress itself")], ['stdin', bool('global')],
  ['timelimit', value('global')], ['dump', bool('global')], ['hex', bool('global')], ['vsync', value('global')],
  ['frame_drop_threshold', value('global')], ['async', value('global')], ['adrift_threshold', value('global')],
  ['copyts', bool('global')], ['start_at_zero', bool('global')], ['copytb', value('global')],
  ['dts_delta_threshold', value('global')], ['dts_error_threshold', value('global')], ['xerror', bool('global')],
  ['abort_on', value('global')], ['filter_complex', value('global', 'filtergraph')],
  ['lavfi', value('global', 'filtergraph')],
  ['filter_complex_script', value('global', 'read', 'reads a filter graph from a file')],
  ['auto_conversion_filters', bool('global')], ['stats_period', value('global')], ['debug_ts', bool('global')],
  ['psnr', bool('global')], ['vstats', flag('global', LOG_FILE)], ['vstats_file', value('global', 'write', LOG_FILE)],
  ['vstats_version', value('global')], ['qphist', bool('global')],
  ['sdp_file', value('global', 'write', 'writes an SDP file')], ['vaapi_device', value('global', 'device')],
  ['qsv_device', value('global', 'device')], ['init_hw_device', value('global', 'device')],
  ['filter_hw_device', value('global')],
  // Per-file options.
  ['i', value('input', 'input')], ['f', value('file', 'format')], ['c', value('file', 'codec')],
  ['codec', value('file', 'codec')], ['pre', value('output', 'read', PRESET)], ['map_metadata', value('output')],
  ['t', value('file')], ['to', value('file')], ['fs', value('output')], ['ss', value('file')],
  ['sseof', value('input')], ['seek_timestamp', value('input')], ['timestamp', value('output')],
  ['metadata', value('output')], ['program', value('output')], ['target', value('output')],
  ['apad', value('output')], ['frames', value('output')], ['filter', value('output', 'filtergraph')],
  ['filter_script', value('output', 'read', 'reads a filter graph from a file')], ['reinit_filter', value('input')],
  ['discard', value('input')], ['disposition', value('output')], ['map', value('output')],
  ['map_channel', value('output')], ['map_chapters', value('output')], ['accurate_seek', bool('input')],
  ['isync', value('input')], ['itsoffset', value('input')], ['itsscale', value('input')], ['dframes', value('output')],
  ['re', bool('input')], ['readrate', value('input')], ['shortest', bool('output')], ['bitexact', bool('file')],
  ['copyinkf', bool('output')], ['copypriorss', value('output')], ['tag', value('file')], ['q', value('output')],
  ['qscale', value('output')], ['profile', value('output')], ['attach', value('output', 'read')],
  ['dump_attachment', value('input', 'write', 'writes attachments to files')], ['stream_loop', value('input')],
  ['thread_queue_size', value('file')], ['find_stream_info', bool('input')], ['bits_per_raw_sample', value('output')],
  // HAS_ARG | OPT_BOOL in 5.1: `-autorotate` takes the next token (a number); `-noautorotate` none.
  ['autorotate', opt('boolValue', 'input', 'number')], ['autoscale', opt('boolValue', 'output', 'number')],
  ['muxdelay', value('output')], ['muxpreload', value('output')], ['time_base', value('output')],
  ['enc_time_base', value('output')], ['bsf', value('output', 'bsf')], ['fpre', value('output', 'read', PRESET)],
  ['max_muxing_queue_size', value('output')], ['muxing_queue_data_threshold', value('output')],
  ['dcodec', value('file', 'codec')], ['vframes', value('output')], ['r', value('file')], ['fpsmax', value('output')],
  ['s', value('file')], ['aspect', value('output')], ['vn', bool('file')], ['vcodec', value('file', 'codec')],
  ['timecode', value('output')], ['pass', value('output', 'plain', 'two-pass encoding writes log files')],
  ['vf', value('output', 'filtergraph')], ['ab', value('output')], ['b', value('output')], ['dn', bool('file')],
  ['pix_fmt', value('file')], ['rc_override', value('output')],
  ['passlogfile', value('output', 'write', 'writes two-pass log files')], ['intra_matrix', value('output')],
  ['inter_matrix', value('output')], ['chroma_intra_matrix', value('output')], ['top', value('file')],
  ['vtag', value('file')], ['fps_mode', value('output')], ['force_fps', bool('output')], ['streamid', value('output')],
  ['force_key_frames', value('output')], ['hwaccel', value('input')], ['hwaccel_device', value('input', 'device')],
  ['hwaccel_output_format', value('input')], ['vbsf', value('output', 'bsf')], ['vpre', value('output', 'read', PRESET)],
  ['aframes', value('output')], ['aq', value('output')], ['ar', value('file')], ['ac', value('file')],
  ['an', bool('file')], ['acodec', value('file', 'codec')], ['af', value('output', 'filtergraph')],
  ['atag', value('file')], ['sample_fmt', value('file')], ['channel_layout', value('file')],
  ['ch_layout', value('file')], ['guess_layout_max', value('input')], ['absf', value('output', 'bsf')],
  ['apre', value('output', 'read', PRESET)], ['sn', bool('file')], ['scodec', value('file', 'codec')],
  ['stag', value('file')], ['fix_sub_duration', bool('input')], ['canvas_size', value('input')],
  ['spre', value('output', 'read', PRESET)],
  // Plex's fork (test/fixtures/corpus/PLEX-PRIVATE-FLAGS.md §1): the translation removes every one.
  ['progressurl', plex('value', 'global', 'url')], ['loglevel_plex', plex('value', 'global')],
  ['map_inlineass', plex('value', 'global')], ['hwaccel_fallback_threshold', plex('value', 'input')],
  ['strict_ts', plex('value', 'output')], ['xioerror', plex('bool', 'global')],
]);

/** Aliases: `-vcodec x` is `-codec:v x`, `-vf` is `-filter:v` … (name → [base, implied specifier]). */
export const OPTION_ALIASES: ReadonlyMap<string, readonly [string, string | null]> = new Map([
  ['c', ['codec', null]], ['vcodec', ['codec', 'v']], ['acodec', ['codec', 'a']], ['scodec', ['codec', 's']],
  ['dcodec', ['codec', 'd']], ['vf', ['filter', 'v']], ['af', ['filter', 'a']], ['vb', ['b', 'v']],
  ['ab', ['b', 'a']], ['vframes', ['frames', 'v']], ['aframes', ['frames', 'a']], ['dframes', ['frames', 'd']],
  ['qscale', ['q', null]], ['aq', ['q', 'a']], ['vtag', ['tag', 'v']], ['atag', ['tag', 'a']],
  ['stag', ['tag', 's']], ['absf', ['bsf', 'a']], ['vbsf', ['bsf', 'v']], ['lavfi', ['filter_complex', null]],
  ['channel_layout', ['ch_layout', null]], ['v', ['loglevel', null]],
] as const);
