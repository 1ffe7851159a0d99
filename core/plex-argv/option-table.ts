/**
 * What ffmpeg's option grammar says about each option name: whether it takes a value, and whether it
 * applies to the whole run (global) or to the next input/output file. Constant tables only.
 *
 * ffmpeg's rule: options in its own table are global or per-file and may be boolean; everything
 * else is an AVOption of a codec, muxer or scaler and always takes a value. So the boolean and
 * global lists must be complete, while the known-value list only decides what counts as "unknown".
 */

/** Boolean options (no value); each also has a `-no<name>` negation. */
export const FLAG_OPTIONS: ReadonlySet<string> = new Set([
  'y', 'n', 'stats', 'stdin', 'hide_banner', 'copyts', 'start_at_zero', 'shortest', 'accurate_seek',
  'seek_timestamp', 're', 'vn', 'an', 'sn', 'dn', 'autorotate', 'autoscale', 'fix_sub_duration',
  'fix_sub_duration_heartbeat', 'ignore_unknown', 'copy_unknown', 'benchmark', 'benchmark_all',
  'debug_ts', 'xerror', 'xioerror', 'dump', 'hex', 'vstats', 'qphist', 'find_stream_info', 'bitexact',
  'recast_media', 'copyinkf', 'force_fps', 'psnr', 'intra', 'deinterlace', 'sameq', 'same_quant',
  'print_graphs', 'report',
]);

/** Options that make ffmpeg print something and exit: capability queries. */
export const EXIT_OPTIONS: ReadonlySet<string> = new Set([
  'version', 'buildconf', 'formats', 'muxers', 'demuxers', 'devices', 'codecs', 'decoders', 'encoders',
  'bsfs', 'protocols', 'filters', 'pix_fmts', 'layouts', 'sample_fmts', 'dispositions', 'colors',
  'hwaccels', 'L', 'license', 'h', 'help', '?', 'sources', 'sinks',
]);

/** Exit options that take an optional value (`-h encoder=libx264`, `-sources pulse`). */
export const OPTIONAL_VALUE_OPTIONS: ReadonlySet<string> = new Set(['h', 'help', '?', 'sources', 'sinks']);

/** Options that apply to the whole run wherever they appear (ffmpeg's global options + Plex's). */
export const GLOBAL_OPTIONS: ReadonlySet<string> = new Set([
  'y', 'n', 'stats', 'stdin', 'loglevel', 'v', 'report', 'hide_banner', 'copyts', 'start_at_zero', 'copytb',
  'vsync', 'async', 'filter_complex', 'lavfi', 'filter_complex_script', 'filter_complex_threads',
  'filter_threads', 'init_hw_device', 'filter_hw_device', 'vaapi_device', 'qsv_device', 'benchmark',
  'benchmark_all', 'progress', 'stats_period', 'xerror', 'abort_on', 'max_error_rate', 'sdp_file',
  'debug_ts', 'dts_delta_threshold', 'dts_error_threshold', 'vstats', 'vstats_file', 'vstats_version',
  'ignore_unknown', 'copy_unknown', 'recast_media', 'qphist', 'cpuflags', 'cpucount', 'max_alloc',
  'timelimit', 'print_graphs', 'print_graphs_file', 'print_graphs_format', 'adrift_threshold',
  'frame_drop_threshold', 'auto_conversion_filters', 'psnr', 'dump', 'hex', 'xioerror',
  // Plex's own (fftools `//PLEX` block)
  'progressurl', 'loglevel_plex', 'map_inlineass',
]);

/** Aliases: `-vcodec x` is `-codec:v x`, `-c` is `-codec`, `-vf` is `-filter:v` … */
export const OPTION_ALIASES: ReadonlyMap<string, readonly [string, string | null]> = new Map([
  ['c', ['codec', null]], ['vcodec', ['codec', 'v']], ['acodec', ['codec', 'a']], ['scodec', ['codec', 's']],
  ['dcodec', ['codec', 'd']], ['vf', ['filter', 'v']], ['af', ['filter', 'a']], ['vb', ['b', 'v']],
  ['ab', ['b', 'a']], ['vframes', ['frames', 'v']], ['aframes', ['frames', 'a']], ['dframes', ['frames', 'd']],
  ['qscale', ['q', null]], ['aq', ['q', 'a']], ['vtag', ['tag', 'v']], ['atag', ['tag', 'a']],
  ['stag', ['tag', 's']], ['absf', ['bsf', 'a']], ['vbsf', ['bsf', 'v']], ['lavfi', ['filter_complex', null]],
  ['channel_layout', ['ch_layout', null]], ['v', ['loglevel', null]],
]);

/** Value-taking options known to occur (ffmpeg's table, common codec/muxer AVOptions, Plex's). */
export const VALUE_OPTIONS: ReadonlySet<string> = new Set([
  // ffmpeg per-file / per-stream
  'f', 'i', 'codec', 'map', 'map_metadata', 'map_chapters', 'map_channel', 't', 'to', 'fs', 'ss', 'sseof',
  'itsoffset', 'itsscale', 'timestamp', 'metadata', 'program', 'target', 'readrate', 'stream_loop',
  'frames', 'filter', 'filter_script', 'reinit_filter', 'discard', 'disposition', 'attach',
  'dump_attachment', 'tag', 'r', 'fpsmax', 's', 'aspect', 'pix_fmt', 'fps_mode', 'force_key_frames',
  'hwaccel', 'hwaccel_device', 'hwaccel_output_format', 'ar', 'ac', 'sample_fmt', 'ch_layout',
  'guess_layout_max', 'canvas_size', 'bsf', 'q', 'profile', 'level', 'preset', 'tune', 'pre', 'apre',
  'vpre', 'spre', 'fpre', 'max_muxing_queue_size', 'muxing_queue_data_threshold', 'copypriorss',
  'thread_queue_size', 'enc_time_base', 'bits_per_raw_sample', 'top', 'pass', 'passlogfile',
  'rc_override', 'streamid', 'frame_size', 'shortest_buf_duration', 'filter_complex',
  // common codec AVOptions
  'b', 'maxrate', 'minrate', 'bufsize', 'crf', 'qp', 'cq', 'g', 'bf', 'refs', 'threads', 'qmin', 'qmax',
  'global_quality', 'quality', 'compression_level', 'cutoff', 'vbr', 'application', 'x264opts',
  'x264-params', 'x265-params', 'svtav1-params', 'rc', 'rc_mode', 'rc-lookahead', 'rc_lookahead',
  'spatial-aq', 'temporal-aq', 'forced-idr', 'zerolatency', 'b_ref_mode', 'sei', 'low_power',
  'async_depth', 'look_ahead', 'look_ahead_depth', 'sc_threshold', 'keyint_min', 'coder', 'flags',
  'flags2', 'strict', 'skip_frame', 'skip_loop_filter', 'skip_idct', 'lowres', 'err_detect', 'ec',
  'idr_interval', 'tier', 'multipass', 'aq-mode', 'aq-strength', 'trellis', 'me_method', 'me_range',
  'sws_flags', 'thread_type', 'eae_prefix', 'strict_ts', 'hwaccel_fallback_threshold', 'color_primaries',
  'color_trc', 'colorspace', 'color_range', 'extra_hw_frames', 'gpu', 'surfaces', 'delay', 'no-scenecut',
  'strict_gop', 'weighted_pred', 'aud', 'tile-columns', 'row-mt', 'cpu-used', 'deadline', 'lag-in-frames',
  // common format AVOptions
  'probesize', 'analyzeduration', 'fflags', 'movflags', 'max_delay', 'avoid_negative_ts', 'muxdelay',
  'muxpreload', 'output_ts_offset', 'start_number', 'update', 'frame_pts', 'seg_duration', 'window_size',
  'extra_window_size', 'init_seg_name', 'media_seg_name', 'use_template', 'use_timeline', 'single_file',
  'adaptation_sets', 'streaming', 'ldash', 'format_options', 'frag_duration', 'frag_size',
  'min_frag_duration', 'brand', 'use_editlist', 'write_tmcd', 'remove_at_exit', 'individual_header_trailer',
  'write_header_trailer', 'reference_stream', 'increment_tc', 'break_non_keyframes', 'delete_removed',
  'skip_to_segment', 'manifest_name', 'time_delta', 'min_seg_duration', 'master_pl_name',
  'user_agent', 'headers', 'reconnect', 'reconnect_streamed', 'reconnect_delay_max', 'timeout',
  'rw_timeout', 'rtsp_transport', 'id3v2_version', 'write_id3v1', 'ignore_editlist', 'var_stream_map',
  'muxrate', 'write_xing', 'avioflags', 'http_persistent', 'seekable', 'multiple_requests', 'icy',
  'live_start_index', 'allowed_extensions', 'protocol_whitelist', 'safe', 'loop', 'framerate', 'video_size',
  'pixel_format', 'fp_format', 'algorithm', 'silence_threshold',
  // global ones that take values
  'loglevel', 'copytb', 'vsync', 'async', 'filter_complex_script', 'filter_complex_threads',
  'filter_threads', 'init_hw_device', 'filter_hw_device', 'vaapi_device', 'qsv_device', 'progress',
  'stats_period', 'abort_on', 'max_error_rate', 'sdp_file', 'dts_delta_threshold', 'dts_error_threshold',
  'vstats_file', 'vstats_version', 'cpuflags', 'cpucount', 'max_alloc', 'timelimit', 'print_graphs_file',
  'print_graphs_format', 'adrift_threshold', 'frame_drop_threshold', 'auto_conversion_filters',
  'progressurl', 'loglevel_plex', 'map_inlineass',
]);

/** Families of muxer/codec AVOptions recognised by prefix (`-segment_list_unfinished`, `-hls_flags` …). */
export const VALUE_OPTION_PREFIXES: readonly string[] = [
  'segment_', 'hls_', 'dash_', 'mpegts_', 'rtsp_', 'frag_', 'x264', 'x265', 'nvenc', 'mov_', 'mkv_', 'reconnect',
];
