/**
 * Filters the allow-list accepts: what Plex's transcoder puts in its graphs (scaling, pixel
 * formats, hardware upload/download/scale/deinterlace/tone-map for VAAPI, CUDA/NVENC, QSV and
 * OpenCL, subtitle burn-in, frame rate and timestamps, audio resampling, mixing and loudness),
 * Plex's own `inlineass`/`inlinepgs`, and what the translation writes instead. For each filter
 * that opens files: which options are files it reads or writes, and its positional option order
 * (ffmpeg assigns unnamed arguments to options in that order, aliases skipped).
 */

/** How a filter option's file is opened. */
export type FilterFileAccess = 'read' | 'write';

/** A filter that opens files. */
export interface FileFilter {
  /** Option name (aliases included) → how its file is opened. */
  readonly files: Readonly<Record<string, FilterFileAccess>>;
  /** Its options in positional order, up to the last file option (aliases left out). */
  readonly positional: readonly string[];
}

/** Filters that open files, from `ffmpeg -h filter=NAME` of 5.1. */
export const FILE_FILTERS: ReadonlyMap<string, FileFilter> = new Map<string, FileFilter>([
  ['subtitles', { files: { filename: 'read', f: 'read', fontsdir: 'read' }, positional: ['filename', 'original_size', 'fontsdir'] }],
  ['ass', { files: { filename: 'read', f: 'read', fontsdir: 'read' }, positional: ['filename', 'original_size', 'fontsdir'] }],
  ['drawtext', { files: { fontfile: 'read', textfile: 'read' }, positional: ['fontfile', 'text', 'textfile'] }],
  ['metadata', { files: { file: 'write' }, positional: ['mode', 'key', 'value', 'function', 'expr', 'file'] }],
  ['ametadata', { files: { file: 'write' }, positional: ['mode', 'key', 'value', 'function', 'expr', 'file'] }],
  ['deshake', {
    files: { filename: 'write' },
    positional: ['x', 'y', 'w', 'h', 'rx', 'ry', 'edge', 'blocksize', 'contrast', 'search', 'filename'],
  }],
  ['lut3d', { files: { file: 'read' }, positional: ['file'] }],
  ['lut1d', { files: { file: 'read' }, positional: ['file'] }],
  ['nnedi', { files: { weights: 'read' }, positional: ['weights'] }],
]);

/** Plex's own filters (its fork only): allowed in Plex's argv, replaced by the translation; their fonts are Plex's. */
export const PLEX_FILTERS: ReadonlySet<string> = new Set(['inlineass', 'inlinepgs']);

/** Every filter the allow-list accepts (file filters included). */
export const FILTERS: ReadonlySet<string> = new Set([
  // Video: geometry, formats, timing.
  'scale', 'format', 'noformat', 'fps', 'framerate', 'setpts', 'settb', 'setsar', 'setdar', 'setparams', 'setrange',
  'setfield', 'fieldorder', 'pad', 'crop', 'transpose', 'hflip', 'vflip', 'rotate', 'null', 'copy', 'split', 'trim',
  'select', 'showinfo', 'thumbnail', 'tile', 'colorspace', 'colormatrix', 'zscale', 'tonemap', 'overlay',
  'drawbox', 'unsharp', 'hqdn3d', 'idet', 'cropdetect', 'blackdetect', 'sidedata', 'mpdecimate', 'decimate',
  'fieldmatch', 'pullup', 'telecine', 'detelecine', 'tinterlace', 'interlace', 'kerndeint', 'w3fdif', 'yadif',
  'bwdif', 'haldclut', 'concat', 'eq', 'fade', 'boxblur', 'gblur', 'loop', 'tpad',
  'freezedetect', 'scdet', 'minterpolate', 'deband', 'pp7', 'spp', 'removegrain', 'blackframe', 'chromashift',
  'subtitles', 'ass', 'drawtext', 'metadata', 'deshake', 'lut3d', 'lut1d', 'nnedi',
  // Hardware: upload/download and the VAAPI, CUDA/NPP, QSV, OpenCL and Vulkan variants Plex uses.
  'hwupload', 'hwdownload', 'hwmap', 'hwupload_cuda', 'scale_vaapi', 'deinterlace_vaapi', 'denoise_vaapi',
  'sharpness_vaapi', 'procamp_vaapi', 'tonemap_vaapi', 'transpose_vaapi', 'overlay_vaapi', 'scale_cuda', 'scale_npp',
  'yadif_cuda', 'bwdif_cuda', 'overlay_cuda', 'tonemap_cuda', 'thumbnail_cuda', 'chromakey_cuda', 'transpose_npp',
  'scale_qsv', 'vpp_qsv', 'deinterlace_qsv', 'overlay_qsv', 'tonemap_opencl', 'scale_opencl', 'overlay_opencl',
  'transpose_opencl', 'unsharp_opencl', 'scale_vulkan', 'overlay_vulkan',
  // Audio.
  'aresample', 'aformat', 'anull', 'asplit', 'atrim', 'asetpts', 'asettb', 'volume', 'loudnorm', 'dynaudnorm',
  'pan', 'amix', 'amerge', 'acompressor', 'alimiter', 'atempo', 'adelay', 'apad', 'channelmap', 'channelsplit',
  'join', 'afade', 'aselect', 'ametadata', 'ebur128', 'volumedetect', 'astats', 'silencedetect', 'highpass',
  'lowpass', 'equalizer', 'bass', 'treble', 'extrastereo', 'stereotools', 'surround', 'asetnsamples', 'asetrate',
  'aloop', 'speechnorm', 'dialoguenhance', 'acrossfade', 'anullsrc', 'aevalsrc', 'compand', 'agate', 'afftdn',
  'anlmdn', 'earwax', 'sidechaincompress', 'aecho', 'asidedata', 'ametadata',
  'scale2ref',
]);
