// Which ffmpeg (and Plex-fork) options are global, and which take no value.
// ffmpeg's parser treats every option as taking a value unless its table marks it boolean
// (AVOptions always take a value, so `-sei:0 -a53_cc` is one option with the value `-a53_cc`).

/** Options ffmpeg 5.1 (plus Plex's fork) defines without a value; `-noX` negates any of them. */
export const BOOLEAN_OPTIONS: ReadonlySet<string> = new Set([
  'y', 'n', 'stats', 'stdin', 'hide_banner', 'copyts', 'start_at_zero', 'accurate_seek',
  'shortest', 'xerror', 'benchmark', 'benchmark_all', 'dump', 'hex', 're', 'vn', 'an', 'sn',
  'dn', 'ignore_unknown', 'copy_unknown', 'debug_ts', 'autorotate', 'autoscale',
  'find_stream_info', 'fix_sub_duration', 'intra', 'psnr', 'qphist', 'vstats', 'report',
  'bitexact', 'xioerror', 'auto_conversion_filters', 'ignore_chapters',
]);

/** Options that act on the whole run wherever they appear (ffmpeg's non-OPT_PERFILE options). */
export const GLOBAL_OPTIONS: ReadonlySet<string> = new Set([
  'loglevel', 'v', 'report', 'max_alloc', 'cpuflags', 'cpucount', 'hide_banner', 'y', 'n',
  'ignore_unknown', 'copy_unknown', 'benchmark', 'benchmark_all', 'progress', 'stdin',
  'timelimit', 'dump', 'hex', 'vsync', 'frame_drop_threshold', 'async', 'adrift_threshold',
  'copyts', 'start_at_zero', 'copytb', 'dts_delta_threshold', 'dts_error_threshold', 'xerror',
  'abort_on', 'filter_complex', 'filter_complex_threads', 'lavfi', 'filter_complex_script',
  'auto_conversion_filters', 'stats', 'stats_period', 'debug_ts', 'qphist', 'vstats',
  'vstats_file', 'vstats_version', 'init_hw_device', 'filter_hw_device', 'sdp_file',
  'filter_threads', 'max_error_rate', 'max_muxing_queue_size_global', 'nostats', 'nostdin',
  // Plex's `//PLEX` block registers these as global options.
  'progressurl', 'loglevel_plex', 'map_inlineass', 'xioerror',
]);

/** True when `name` (without spec, without `no` prefix handling) takes no value. */
export function isBooleanOption(name: string): boolean {
  if (BOOLEAN_OPTIONS.has(name)) return true;
  return name.startsWith('no') && BOOLEAN_OPTIONS.has(name.slice(2));
}

/** True when `name` is global; `-noX` forms follow X. */
export function isGlobalOption(name: string): boolean {
  if (GLOBAL_OPTIONS.has(name)) return true;
  return name.startsWith('no') && isBooleanOption(name) && GLOBAL_OPTIONS.has(name.slice(2));
}
