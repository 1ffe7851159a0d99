/** What the sandbox knows about ffmpeg's options: which take no value, which are refused, which carry what. */

/**
 * ffmpeg options that take no value (OPT_BOOL and the print-and-exit ones). Every other option,
 * AVOptions included, takes exactly one. Missing a flag here only makes the scan stricter: the
 * token after it is checked as if ffmpeg might write to it.
 */
const FLAGS = [
  'L', 'h', '?', 'help', 'version', 'buildconf', 'formats', 'muxers', 'demuxers', 'devices', 'codecs', 'decoders',
  'encoders', 'bsfs', 'protocols', 'filters', 'pix_fmts', 'layouts', 'sample_fmts', 'dispositions', 'colors',
  'hwaccels', 'report', 'vstats', 'intra', 'sameq', 'same_quant', 'deinterlace',
];
/** OPT_BOOL options: also accepted as `-noNAME`. */
const BOOLS = [
  'y', 'n', 'ignore_unknown', 'copy_unknown', 'recast_media', 'stats', 'benchmark', 'benchmark_all', 'stdin', 'dump',
  'hex', 'copyts', 'start_at_zero', 'xerror', 'hide_banner', 'debug_ts', 'psnr', 'qphist', 'accurate_seek', 're',
  'shortest', 'bitexact', 'copyinkf', 'find_stream_info', 'autorotate', 'autoscale', 'vn', 'an', 'sn', 'dn',
  'force_fps', 'fix_sub_duration', 'auto_conversion_filters', 'print_graphs',
];
const BOOL_SET = new Set(BOOLS);
const FLAG_SET = new Set([...FLAGS, ...BOOLS]);

/** True when `-name` takes no value (`name` without its stream specifier). */
export function isFlagOption(name: string): boolean {
  return FLAG_SET.has(name) || (name.startsWith('no') && BOOL_SET.has(name.slice(2)));
}

/** Options refused outright, with the reason given to the client. */
export const FORBIDDEN_OPTIONS: ReadonlyMap<string, string> = new Map([
  ['report', 'writes a log file'],
  ['vstats', 'writes a statistics file'],
  ['vstats_file', 'writes a statistics file'],
  ['passlogfile', 'writes two-pass log files'],
  ['pass', 'two-pass encoding writes log files'],
  ['dump_attachment', 'writes attachments to files'],
  ['sdp_file', 'writes an SDP file'],
  ['progress', 'the worker itself reads ffmpeg progress'],
  ['fpre', 'reads a preset file'],
  ['pre', 'reads a preset file'],
  ['vpre', 'reads a preset file'],
  ['apre', 'reads a preset file'],
  ['spre', 'reads a preset file'],
  ['filter_script', 'reads a filter graph from a file'],
  ['filter_complex_script', 'reads a filter graph from a file'],
  ['hls_key_info_file', 'reads key files'],
  ['key_info_file', 'reads key files'],
  ['protocol_whitelist', 'the worker sets the allowed protocols'],
  ['protocol_blacklist', 'the worker sets the allowed protocols'],
  ['sources', 'lists devices'],
  ['sinks', 'lists devices'],
  ['stats_enc_pre', 'writes a statistics file'],
  ['stats_enc_post', 'writes a statistics file'],
  ['stats_mux_pre', 'writes a statistics file'],
]);

/**
 * Plex-private options whose values name things on the Plex machine (EasyAudioEncoder folders, a
 * log level, a stream of `-map_inlineass`). Only Plex's argv may have them, and the translation
 * removes every one, so their values are not taken for worker paths; the translated argv, which
 * is all that runs, is checked without this exemption.
 */
export const PLEX_SIDE_OPTIONS: ReadonlySet<string> = new Set(['eae_prefix', 'eae_root', 'loglevel_plex', 'map_inlineass']);

/** Plex-private filters whose file arguments are Plex's (fonts of `inlineass`): replaced by the translation. */
export const PLEX_SIDE_FILTERS: ReadonlySet<string> = new Set(['inlineass']);

/** Options whose value is a filter graph. */
export const FILTER_OPTIONS: ReadonlySet<string> = new Set(['vf', 'af', 'filter', 'filter_complex', 'lavfi']);

/** Options naming a hardware device: the only place a `/dev/dri/…` path may appear. */
export const DEVICE_OPTIONS: ReadonlySet<string> = new Set(['init_hw_device', 'hwaccel_device', 'vaapi_device', 'qsv_device']);

/** Render nodes a device option may name. */
export const ALLOWED_DEVICE_PATH = /^\/dev\/dri\/(?:renderD|card)\d+$/;

/** Options whose value is a file ffmpeg reads (checked against mediaRoots and transcodeRoots). */
export const READ_FILE_OPTIONS: ReadonlySet<string> = new Set(['attach']);

/**
 * Options with a plain value that is never a file or URL: they skip the path checks (which
 * would otherwise refuse, say, `-metadata title=AC/DC` for nothing).
 */
export const PLAIN_VALUE_OPTIONS: ReadonlySet<string> = new Set([
  'f', 'map', 'map_metadata', 'map_chapters', 'map_channel', 'metadata', 'c', 'codec', 'vcodec', 'acodec', 'scodec', 'dcodec',
  'b', 'ab', 'vb', 'maxrate', 'minrate', 'bufsize', 'r', 's', 'aspect', 'ss', 'sseof', 't', 'to', 'fs', 'itsoffset',
  'itsscale', 'ac', 'ar', 'sample_fmt', 'pix_fmt', 'ch_layout', 'channel_layout', 'vsync', 'fps_mode', 'fpsmax',
  'force_key_frames', 'loglevel', 'v', 'threads', 'preset', 'profile', 'level', 'tune', 'crf', 'qp', 'q', 'qscale', 'g',
  'bf', 'disposition', 'tag', 'vtag', 'atag', 'stag', 'frames', 'vframes', 'aframes', 'dframes', 'analyzeduration',
  'probesize', 'fflags', 'flags', 'movflags', 'max_delay', 'avoid_negative_ts', 'hwaccel', 'hwaccel_output_format',
  'filter_hw_device', 'program', 'streamid', 'timecode', 'time_base', 'enc_time_base', 'bsf', 'vbsf', 'absf',
  'max_muxing_queue_size', 'muxing_queue_data_threshold', 'thread_queue_size', 'stream_loop', 'readrate',
  'stats_period', 'copytb', 'canvas_size', 'top', 'rc_override', 'seek_timestamp', 'filter_threads',
  'filter_complex_threads', 'reinit_filter', 'frame_drop_threshold', 'async', 'dts_delta_threshold',
  'dts_error_threshold', 'abort_on', 'max_error_rate', 'guess_layout_max', 'vol', 'aq', 'target', 'timestamp',
  'muxdelay', 'muxpreload', 'copypriorss', 'bits_per_raw_sample', 'apad', 'isync', 'discard', 'strict',
  'segment_time', 'segment_format', 'segment_list_type', 'segment_list_size', 'segment_start_number',
  'segment_time_delta', 'individual_header_trailer', 'hls_time', 'hls_list_size', 'hls_playlist_type', 'hls_flags',
  'start_number', 'seg_duration', 'window_size', 'extra_window_size', 'use_timeline', 'use_template',
  'adaptation_sets', 'dash_segment_type', 'frag_duration', 'min_frag_duration', 'sei', 'forced-idr', 'rc', 'cq',
  'vstats_version', 'max_alloc', 'cpuflags', 'cpucount', 'timelimit', 'user_agent', 'headers',
]);

/** Formats (`-f`) refused for inputs: sources that are not files (devices, generators, lists of other files). */
export const FORBIDDEN_INPUT_FORMATS: ReadonlySet<string> = new Set([
  'lavfi', 'concat', 'ffconcat', 'hls', 'applehttp', 'dash', 'sdp', 'rtp', 'rtsp', 'sap', 'tee', 'fifo',
  'v4l2', 'video4linux2', 'alsa', 'pulse', 'oss', 'jack', 'x11grab', 'xcbgrab', 'fbdev', 'kmsgrab', 'openal',
  'libcdio', 'dv1394', 'iec61883', 'decklink', 'libdc1394', 'sndio', 'android_camera', 'avfoundation', 'dshow',
  'gdigrab', 'vfwcap', 'bktr', 'libndi_newtek',
]);

/** Formats refused for outputs: devices, and muxers that open outputs of their own choosing. */
export const FORBIDDEN_OUTPUT_FORMATS: ReadonlySet<string> = new Set([
  'tee', 'fifo', 'fifo_test', 'rtp', 'rtp_mpegts', 'rtsp', 'sap', 'v4l2', 'video4linux2', 'alsa', 'pulse', 'oss',
  'jack', 'fbdev', 'sdl', 'sdl2', 'opengl', 'caca', 'xv', 'openal', 'sndio', 'decklink', 'audiotoolbox',
  'libndi_newtek',
]);
