/**
 * AVOptions the allow-list accepts: options of the codecs, muxers, demuxers, protocols and
 * scalers Plex's transcoder uses (names from `ffmpeg -h full` of Debian's 5.1 for the generic
 * AVCodecContext/AVFormatContext/AVIOContext/SWScaler/SWResampler sets; libx264/x265, NVENC,
 * VAAPI, QSV, CUVID, SVT-AV1/libaom/libvpx, AAC/AC-3/E-AC-3/FLAC/Opus/MP3/Vorbis and the
 * subtitle codecs; the segment, HLS, DASH, mp4/mov, matroska/webm, mpegts, image2, ADTS, MP3,
 * FLAC, Ogg, WAV, AVI, MPEG-PS, FLV muxers; the mov/mp4, mpegts, HLS, WebVTT, WAV, raw demuxers;
 * the file/http/https/tcp/tls protocols) plus Plex's private ones. An AVOption always takes a
 * value. Values are `plain` unless AV_OPTION_KINDS says otherwise.
 */
import type { AvOption, ValueKind } from './types.ts';

/** Every allowed AVOption name (ffmpeg's, of the components listed above). */
const NAMES: readonly string[] = [
  '2pass', '8x8dct', 'a53cc', 'aac_coder', 'aac_is', 'aac_ltp', 'aac_ms', 'aac_pce', 'aac_pns', 'aac_pred',
  'aac_tns', 'ab', 'abr', 'ac', 'activation_bytes', 'ad_conv_type', 'adaptation_sets', 'adaptive_b',
  'adaptive_i', 'advanced_editlist', 'alllayers', 'allow_raw_vfw', 'allowed_extensions',
  'allowed_segment_extensions', 'alphablend', 'alternate_scan', 'analyzeduration', 'aom-params', 'application',
  'apply_cropping', 'apply_defdispwin', 'apply_phase_inv', 'aq-mode', 'aq-strength', 'ar', 'arnr-max-frames',
  'arnr-maxframes', 'arnr-strength', 'arnr-type', 'arnr_max_frames', 'arnr_strength', 'arnr_type', 'aspect',
  'async', 'async_depth', 'atomic_writing', 'aud', 'audible_fixed_key', 'audible_iv', 'audible_key',
  'audio_chunk_duration', 'audio_preload', 'audio_service_type', 'auth_type', 'auto-alt-ref', 'avbr_accuracy',
  'avbr_convergence', 'avcintra-class', 'avioflags', 'avoid_negative_ts', 'b', 'b-bias', 'b-pyramid',
  'b_adapt', 'b_depth', 'b_qfactor', 'b_qoffset', 'b_ref_mode', 'b_sensitivity', 'b_strategy', 'bf',
  'bidir_refine', 'bitrate_limit', 'blocksize', 'bluray-compat', 'border_mask', 'brand', 'brd_scale',
  'break_non_keyframes', 'bt', 'bufsize', 'bug', 'cavlc', 'cbr', 'cc_stream_map', 'center_mix_level',
  'center_mixlev', 'ch_layout', 'ch_mode', 'channel_coupling', 'channel_layout', 'channel_order', 'channels',
  'cheby', 'chroma_elim_threshold', 'chroma_sample_location', 'chromaoffset', 'chunk_duration', 'chunk_size',
  'chunk_start_index', 'chunked_post', 'clev', 'cluster_size_limit', 'cluster_time_limit', 'cmp', 'coder',
  'color_primaries', 'color_range', 'color_trc', 'colorspace', 'comp_duration', 'compression_level',
  'compute_clut', 'compute_edt', 'cons_noisegen', 'constrained-encoding', 'content_type', 'cookies',
  'copyright', 'core_only', 'corpus-complexity', 'correct_ts_overflow', 'cpl_start_band', 'cplxblur',
  'cpu-used', 'cq', 'cr_size', 'cr_threshold', 'crf', 'crf_max', 'crop', 'cryptokey', 'cues_to_front',
  'cutoff', 'dark_mask', 'dash', 'dash_segment_type', 'dash_track_number', 'data_field', 'data_partitioning',
  'dblk_idc', 'dc', 'dct', 'deadline', 'deblock', 'debug', 'decryption_key', 'default_mode', 'deint', 'delay',
  'denoise-block-size', 'denoise-noise-level', 'dheadphone_mode', 'dia_size', 'dialnorm', 'direct-pred',
  'discard_damaged_percentage', 'dither_method', 'dither_scale', 'dmix_mode', 'downmix', 'dpb_size',
  'drc_scale', 'drop-threshold', 'drop_frame_timecode', 'drop_second_field', 'dst_format', 'dst_h_chr_pos',
  'dst_range', 'dst_v_chr_pos', 'dsth', 'dstw', 'dsur_mode', 'dsurex_mode', 'dual_mono_mode', 'dump_separator',
  'dvb_substream', 'ec', 'empty_hdlr_name', 'enable-1to4-partitions', 'enable-ab-partitions',
  'enable-angle-delta', 'enable-cdef', 'enable-cfl-intra', 'enable-diff-wtd-comp', 'enable-dist-wtd-comp',
  'enable-dual-filter', 'enable-filter-intra', 'enable-flip-idtx', 'enable-global-motion',
  'enable-interinter-wedge', 'enable-interintra-comp', 'enable-interintra-wedge', 'enable-intra-edge-filter',
  'enable-intrabc', 'enable-masked-comp', 'enable-obmc', 'enable-onesided-comp', 'enable-paeth-intra',
  'enable-palette', 'enable-rect-partitions', 'enable-reduced-reference-set', 'enable-ref-frame-mvs',
  'enable-restoration', 'enable-smooth-interintra', 'enable-smooth-intra', 'enable-tpl', 'enable-tx64',
  'enable_er', 'encryption_key', 'encryption_kid', 'encryption_scheme', 'end_offset', 'err_detect',
  'error-resilience', 'error-resilient', 'error_rate', 'exact_rational', 'exact_rice_parameters', 'export_all',
  'export_side_data', 'export_xmp', 'extbrc', 'extension_picky', 'extern_huff', 'extra_hw_frames', 'extra_sei',
  'extra_window_size', 'f_err_detect', 'f_strict', 'fast-pskip', 'fastfirstpass', 'fdebug', 'fec', 'fflags',
  'field_order', 'filmgrain', 'filter_size', 'filter_type', 'first_pts', 'fix_teletext_pts', 'flags', 'flags2',
  'flipped_raw_rgb', 'flush_packets', 'flvflags', 'follow', 'force_duplicated_matrix', 'forced-idr',
  'forced_idr', 'forced_subs_only', 'format_options', 'formatprobesize', 'fpsprobesize', 'frag_duration',
  'frag_interleave', 'frag_size', 'frag_type', 'fragment_index', 'frame-parallel', 'frame_duration',
  'frame_pts', 'frame_size', 'framerate', 'framethreads', 'g', 'gamma', 'gifflags', 'gifimage',
  'global_palette', 'global_quality', 'global_sidx', 'gop_timecode', 'gpb', 'gpu', 'gpu_copy', 'header',
  'headers', 'heavy_compr', 'height', 'hielevel', 'hls_allow_cache', 'hls_base_url', 'hls_delete_threshold',
  'hls_enc', 'hls_enc_iv', 'hls_enc_key', 'hls_enc_key_url', 'hls_flags', 'hls_fmp4_init_filename',
  'hls_fmp4_init_resend', 'hls_init_time', 'hls_list_size', 'hls_master_name', 'hls_playlist',
  'hls_playlist_type', 'hls_segment_filename', 'hls_segment_options', 'hls_segment_size', 'hls_segment_type',
  'hls_start_number_source', 'hls_subtitle_path', 'hls_time', 'hls_ts_options', 'hls_vtt_options',
  'http_multiple', 'http_opts', 'http_persistent', 'http_seekable', 'http_user_agent', 'huffman',
  'hwaccel_flags', 'i_qfactor', 'i_qoffset', 'iblock', 'ich', 'ichl', 'icl', 'icy', 'id3v2_version', 'idct',
  'idr_interval', 'ignore_chapters', 'ignore_editlist', 'ignore_io_errors', 'ignore_length',
  'ignore_readorder', 'ildctcmp', 'in_channel_count', 'in_channel_layout', 'in_chlayout', 'in_sample_fmt',
  'in_sample_rate', 'increment_tc', 'index_correction', 'indexmem', 'individual_header_trailer', 'init_qpB',
  'init_qpI', 'init_qpP', 'init_seg_name', 'initial_offset', 'int_ref_cycle_dist', 'int_ref_cycle_size',
  'int_ref_qp_delta', 'int_ref_type', 'internal_sample_fmt', 'intra-refresh', 'intra_penalty', 'intra_vlc',
  'iods_audio_profile', 'iods_video_profile', 'is_avc', 'isf', 'ism_lookahead', 'isr', 'jfif', 'joint_stereo',
  'kaiser_beta', 'keep_ass_markup', 'keyint_min', 'kind', 'la_depth', 'lag-in-frames', 'last_pred', 'ldash',
  'ldkfs', 'level', 'lfe_mix_level', 'lhls', 'linear_interp', 'live', 'live_start_index', 'lmax', 'lmin',
  'load_plugin', 'load_plugins', 'look_ahead', 'look_ahead_depth', 'look_ahead_downsampling', 'loop',
  'loop_filter_level', 'loop_filter_sharpness', 'loro_cmixlev', 'loro_surmixlev', 'lossless', 'low_delay_brc',
  'low_power', 'lowres', 'lpc_coeff_precision', 'lpc_passes', 'lpc_type', 'ltrt_cmixlev', 'ltrt_surmixlev',
  'luma_elim_threshold', 'lumi_mask', 'm3u8_hold_counters', 'mapping_family', 'master_m3u8_publish_rate',
  'master_pl_name', 'master_pl_publish_rate', 'matrix_encoding', 'max-intra-rate', 'max_dec_frame_buffering',
  'max_delay', 'max_frame_size', 'max_frame_size_i', 'max_frame_size_p', 'max_interleave_delta',
  'max_packet_size', 'max_partition_order', 'max_pixels', 'max_playback_rate', 'max_prediction_order',
  'max_probe_packets', 'max_qp_b', 'max_qp_i', 'max_qp_p', 'max_redirects', 'max_reload', 'max_samples',
  'max_size', 'max_slice_size', 'max_soft_comp', 'max_streams', 'max_stts_delta', 'max_ts_probe', 'maxrate',
  'maxsection-pct', 'mbbrc', 'mbcmp', 'mbd', 'mblmax', 'mblmin', 'mbtree', 'me_method', 'me_range',
  'media_seg_name', 'mepc', 'mepre', 'merge_pmt_versions', 'metadata_header_padding', 'method', 'mfmode',
  'min_comp', 'min_frag_duration', 'min_hard_comp', 'min_partition_order', 'min_playback_rate',
  'min_prediction_order', 'min_qp_b', 'min_qp_i', 'min_qp_p', 'minrate', 'minsection-pct', 'mixed-refs',
  'mixing_level', 'moov_size', 'motion-est', 'motion_est', 'mov_gamma', 'movflags', 'movie_timescale',
  'mpd_profile', 'mpeg_quant', 'mpegts_copyts', 'mpegts_flags', 'mpegts_m2ts_mode',
  'mpegts_original_network_id', 'mpegts_pmt_start_pid', 'mpegts_service_id', 'mpegts_service_type',
  'mpegts_start_pid', 'mpegts_transport_stream_id', 'mpv_flags', 'multi_dim_quant', 'multipass',
  'multiple_requests', 'muxrate', 'mv0_threshold', 'nal-hrd', 'nal_length_size', 'nit_period', 'no-scenecut',
  'no_resync_search', 'noise-sensitivity', 'noise_reduction', 'non_linear_quant', 'nonref_p', 'nssew', 'och',
  'ochl', 'ocl', 'offset', 'oggpagesize', 'omit_video_pes_length', 'operating_point', 'oppoint', 'opus_delay',
  'original', 'osf', 'osr', 'out_channel_count', 'out_channel_layout', 'out_chlayout', 'out_sample_fmt',
  'out_sample_rate', 'output_sample_bits', 'output_ts_offset', 'overshoot-pct', 'p_mask', 'p_strategy',
  'packet_loss', 'packetsize', 'page_duration', 'pagesize', 'param0', 'param1', 'partitions', 'passlogfile',
  'password', 'pat_period', 'pcr_period', 'peak_block_size', 'peak_format', 'peak_ppv', 'per_frame_metadata',
  'pes_payload_size', 'phase_shift', 'pic_timing_sei', 'pixel_format', 'post_data', 'pre_dia_size',
  'precision', 'precmp', 'prediction_order_method', 'prefer_x_start', 'preload', 'preset', 'probesize',
  'profile', 'protocol_opts', 'ps', 'psy', 'psy-rd', 'qblur', 'qcomp', 'qdiff', 'qmax', 'qmin', 'qp',
  'qp_cb_offset', 'qp_cr_offset', 'qsquish', 'quality', 'quantizer_noise_shaping', 'raw_packet_size', 'rc',
  'rc-lookahead', 'rc_buf_aggressivity', 'rc_eq', 'rc_init_cplx', 'rc_init_occupancy', 'rc_lookahead',
  'rc_max_vbv_use', 'rc_min_vbv_use', 'rc_mode', 'rc_qmod_amp', 'rc_qmod_freq', 'rdo', 'real_time',
  'real_time_latency_msec', 'reconnect', 'reconnect_at_eof', 'reconnect_delay_max', 'reconnect_on_http_error',
  'reconnect_on_network_error', 'reconnect_streamed', 'recovery_point_sei', 'recv_buffer_size',
  'reduced-tx-type-set', 'reference_stream', 'referer', 'refs', 'rematrix_maxval', 'rematrix_volume',
  'remove_at_exit', 'repeat_pps', 'request_channel_layout', 'request_sample_fmt', 'resample_cutoff',
  'resampler', 'reserve_index_space', 'reservoir', 'reset_timestamps', 'resize', 'resync_size', 'rf64',
  'rmvol', 'room_type', 'row-mt', 'rtbufsize', 'rtpflags', 'rw_timeout', 's12m_tc', 'sample_rate', 'sar',
  'sc_detection', 'sc_threshold', 'scan_all_pmts', 'scan_offset', 'scplx_mask', 'sdt_period', 'seek2any',
  'seek_streams_individually', 'seekable', 'seg_duration', 'seg_format_options', 'segment_atclocktime',
  'segment_clocktime_offset', 'segment_clocktime_wrap_duration', 'segment_format', 'segment_format_options',
  'segment_frames', 'segment_header_filename', 'segment_list', 'segment_list_entry_prefix',
  'segment_list_flags', 'segment_list_size', 'segment_list_type', 'segment_start_number', 'segment_time',
  'segment_time_delta', 'segment_times', 'segment_wrap', 'segment_wrap_number', 'sei', 'send_buffer_size',
  'send_expect_100', 'seq_disp_ext', 'serial_offset', 'sharpness', 'short_seek_size',
  'single-slice-intra-refresh', 'single_file', 'single_file_name', 'single_sei_nal_unit', 'skip_alpha',
  'skip_bottom', 'skip_cmp', 'skip_estimate_duration_from_pts', 'skip_exp', 'skip_factor', 'skip_frame',
  'skip_idct', 'skip_initial_bytes', 'skip_iods', 'skip_loop_filter', 'skip_threshold', 'skip_top',
  'skip_unknown_pmt', 'slev', 'slice-max-size', 'slices', 'smc-interval', 'spatial-aq', 'spatial_aq', 'speed',
  'src_format', 'src_h_chr_pos', 'src_range', 'src_v_chr_pos', 'srch', 'srcw', 'ssim', 'start_number',
  'start_time_realtime', 'static-thresh', 'stats', 'stereo_rematrixing', 'still-picture', 'streaming',
  'strftime', 'strftime_mkdir', 'strict', 'strict-displaywin', 'strict_gop', 'sub_charenc', 'sub_charenc_mode',
  'sub_text_format', 'subcmp', 'subfps', 'subq', 'surfaces', 'surround_mix_level', 'surround_mixlev',
  'svtav1-params', 'swr_flags', 'sws_dither', 'sws_flags', 'syncpoints', 'tables_version', 'target_latency',
  'tcp_mss', 'tcp_nodelay', 'tcplx_mask', 'temporal-aq', 'temporal_aq', 'thread_type', 'threads',
  'ticks_per_frame', 'tier', 'tile-columns', 'tile-rows', 'tile_cols', 'tile_columns', 'tile_rows', 'tiles',
  'tilethreads', 'timecode_frame_start', 'timeout', 'tls_verify', 'transform_skip', 'trellis', 'truncate',
  'ts-parameters', 'ts_packetsize', 'tsf', 'tune', 'tune-content', 'txt_chop_spaces', 'txt_chop_top',
  'txt_default_region', 'txt_duration', 'txt_format', 'txt_left', 'txt_opacity', 'txt_page', 'txt_top',
  'txt_transparent', 'uch', 'udu_sei', 'undershoot-pct', 'update', 'update_period', 'usage',
  'use-inter-dct-only', 'use-intra-dct-only', 'use-intra-default-tx-only', 'use_buggy_lpc', 'use_editlist',
  'use_mfra_for', 'use_odml', 'use_stream_ids_as_track_ids', 'use_template', 'use_tfdt', 'use_timeline',
  'use_wallclock_as_timestamps', 'used_channel_count', 'user_agent', 'usetoc', 'utc_timing_url',
  'var_stream_map', 'vbr', 'verifyhost', 'video_format', 'video_size', 'video_track_timescale', 'vp8flags',
  'weightb', 'weighted_pred', 'weightp', 'width', 'window_size', 'wpredp', 'write_apetag', 'write_bext',
  'write_btrt', 'write_channel_mask', 'write_crc32', 'write_empty_segments', 'write_header',
  'write_header_trailer', 'write_id3v1', 'write_id3v2', 'write_index', 'write_mpeg2', 'write_peak',
  'write_prft', 'write_tmcd', 'write_xing', 'x264-params', 'x264_build', 'x264opts', 'x265-params',
  'zerolatency',
];

/** AVOptions whose value is more than plain text. */
export const AV_OPTION_KINDS: ReadonlyMap<string, ValueKind> = new Map<string, ValueKind>([
  // libx264/libx265/SVT-AV1/libaom parameter lists (`stats=`, `qpfile=`, `csv=` name files).
  ['x264opts', 'params'], ['x264-params', 'params'], ['x265-params', 'params'], ['svtav1-params', 'params'],
  ['aom-params', 'params'], ['ts-parameters', 'params'],
  ['stats', 'write'], ['passlogfile', 'write'],
  // Segment/stream segment muxer.
  ['segment_list', 'write'], ['segment_header_filename', 'write'], ['segment_format', 'format'],
  ['segment_format_options', 'dict'],
  // HLS muxer: file names are relative to the playlist's folder.
  ['hls_segment_filename', 'write'], ['hls_fmp4_init_filename', 'template'], ['hls_subtitle_path', 'template'],
  ['master_pl_name', 'template'], ['hls_segment_options', 'dict'], ['hls_ts_options', 'dict'],
  ['hls_vtt_options', 'dict'], ['var_stream_map', 'streams'],
  // DASH muxer: file names are relative to the manifest's folder.
  ['init_seg_name', 'template'], ['media_seg_name', 'template'], ['single_file_name', 'template'],
  ['hls_master_name', 'template'], ['format_options', 'dict'], ['seg_format_options', 'dict'],
  ['http_opts', 'dict'], ['protocol_opts', 'dict'],
  // Plex's DASH manifest target (a callback URL), translated away.
  ['manifest_name', 'url'],
]);

/** AVOptions refused whatever their value, with the reason given to the client. */
export const REFUSED_AV_OPTIONS: ReadonlyMap<string, string> = new Map([
  ['protocol_whitelist', 'the worker sets the allowed protocols'],
  ['protocol_blacklist', 'the worker sets the allowed protocols'],
  ['format_whitelist', 'the worker sets the allowed formats'],
  ['codec_whitelist', 'the worker sets the allowed codecs'],
  ['enable_drefs', 'makes the mov demuxer open files the media names'],
  ['use_absolute_path', 'makes the mov demuxer open files the media names'],
  ['hls_key_info_file', 'reads a file naming another file'],
  ['listen', 'makes ffmpeg listen on the network'],
  ['listen_timeout', 'makes ffmpeg listen on the network'],
  ['http_proxy', 'sends requests through another host'],
  ['ca_file', 'reads a file'], ['cafile', 'reads a file'], ['cert_file', 'reads a file'], ['key_file', 'reads a file'],
  ['pattern_type', 'image sequences and globs read files the worker cannot check'],
  ['safe', 'concat lists are not allowed'],
  ['ifo_palette', 'reads a file'], ['sub_name', 'reads a file'],
]);

/** Plex's private AVOptions (EasyAudioEncoder, its DASH and segment muxers): allowed only in Plex's argv. */
export const PLEX_AV_OPTIONS: ReadonlySet<string> = new Set([
  'eae_prefix', 'eae_root', 'eae_batch_frames', 'eae_max_files', 'manifest_name', 'skip_to_segment',
  'delete_removed', 'time_delta', 'segment_list_separate_stream_times', 'segment_list_unfinished', 'segment_copyts',
]);

const ALLOWED: ReadonlySet<string> = new Set(NAMES);

/** What the allow-list says about AVOption `name`; undefined when it is not on the list. */
export function avOption(name: string): AvOption | undefined {
  const refused = REFUSED_AV_OPTIONS.get(name);
  if (refused !== undefined) return { kind: AV_OPTION_KINDS.get(name) ?? 'plain', refused };
  if (PLEX_AV_OPTIONS.has(name)) return { kind: AV_OPTION_KINDS.get(name) ?? 'plain', plexOnly: true };
  if (ALLOWED.has(name)) return { kind: AV_OPTION_KINDS.get(name) ?? 'plain' };
  return undefined;
}

/** Every allowed AVOption name (for tests and docs). */
export function allowedAvOptionNames(): readonly string[] {
  return NAMES;
}
