/** What a codec or filter name says: stream kind, whether it is hardware, which API. */
import type { StreamKind } from './types.ts';

const VIDEO_CODECS: ReadonlySet<string> = new Set([
  'h264', 'hevc', 'h265', 'av1', 'vp8', 'vp9', 'mpeg1video', 'mpeg2video', 'mpeg4', 'msmpeg4v2', 'msmpeg4v3',
  'msmpeg4', 'vc1', 'wmv1', 'wmv2', 'wmv3', 'h263', 'h263p', 'theora', 'mjpeg', 'png', 'bmp', 'gif',
  'webp', 'prores', 'prores_ks', 'dnxhd', 'ffv1', 'huffyuv', 'rawvideo', 'flv', 'flv1', 'vvc',
  'libx264', 'libx264rgb', 'libx265', 'libdav1d', 'libaom-av1', 'libsvtav1', 'librav1e', 'libvpx',
  'libvpx-vp9', 'libopenh264', 'libxvid', 'libtheora', 'libwebp', 'mpeg2video_plex', 'mjpeg_plex',
]);

const AUDIO_CODECS: ReadonlySet<string> = new Set([
  'aac', 'aac_lc', 'aac_latm', 'ac3', 'eac3', 'truehd', 'mlp', 'dca', 'dts', 'flac', 'alac', 'mp1', 'mp2',
  'mp3', 'mp3float', 'opus', 'vorbis', 'wmav1', 'wmav2', 'wmapro', 'wmalossless', 'ape', 'tta', 'wavpack',
  'libmp3lame', 'libopus', 'libvorbis', 'libfdk_aac', 'libtwolame', 'aac_at', 'ac3_fixed', 'cook',
  'amr_nb', 'amr_wb', 'speex', 'libspeex', 'dsd_lsbf', 'dsd_msbf',
]);

const SUBTITLE_CODECS: ReadonlySet<string> = new Set([
  'ass', 'ssa', 'srt', 'subrip', 'webvtt', 'mov_text', 'text', 'dvdsub', 'dvd_subtitle', 'dvbsub',
  'dvb_subtitle', 'hdmv_pgs_subtitle', 'pgssub', 'xsub', 'microdvd', 'sami', 'smi', 'eia_608',
  'cc_dec', 'dvb_teletext', 'libzvbi_teletextdec', 'ttml', 'subviewer', 'jacosub', 'realtext', 'vplayer',
]);

const HW_CODEC_SUFFIXES: readonly string[] = [
  '_vaapi', '_nvenc', '_qsv', '_amf', '_videotoolbox', '_v4l2m2m', '_mediacodec', '_mf', '_omx',
  '_rkmpp', '_vulkan', '_cuvid', '_mmal', '_d3d12va',
];

/** The stream kind a codec name implies; `unknown` for `copy` and unknown names. */
export function codecKind(codec: string | null | undefined): StreamKind {
  if (!codec || codec === 'copy') return 'unknown';
  const name = codec.toLowerCase();
  if (VIDEO_CODECS.has(name)) return 'video';
  if (AUDIO_CODECS.has(name) || name.endsWith('_eae') || name.startsWith('pcm_') || name.startsWith('adpcm_')) {
    return 'audio';
  }
  if (SUBTITLE_CODECS.has(name)) return 'subtitle';
  if (isHardwareCodec(name) || name.startsWith('mediacodecndk') || name.startsWith('nvenc')) {
    return /aac|ac3|mp3|opus/.test(name) ? 'audio' : 'video';
  }
  return 'unknown';
}

/** True for hardware encoders/decoders (`hevc_vaapi`, `h264_nvenc`, `hevc_cuvid`, Plex's `mediacodecndk*`). */
export function isHardwareCodec(codec: string): boolean {
  const name = codec.toLowerCase();
  return (
    HW_CODEC_SUFFIXES.some((suffix) => name.endsWith(suffix)) ||
    name.startsWith('mediacodecndk') ||
    name === 'nvenc' ||
    name.startsWith('nvenc_')
  );
}

const API_NAMES: readonly (readonly [RegExp, string])[] = [
  [/vaapi/, 'vaapi'],
  [/nvenc|nvdec|cuvid|cuda|_npp$/, 'cuda'],
  [/qsv/, 'qsv'],
  [/videotoolbox|_vt$/, 'videotoolbox'],
  [/_amf$/, 'amf'],
  [/opencl/, 'opencl'],
  [/vulkan|libplacebo/, 'vulkan'],
  [/d3d11/, 'd3d11va'],
  [/d3d12/, 'd3d12va'],
  [/dxva2/, 'dxva2'],
  [/vdpau/, 'vdpau'],
  [/v4l2m2m/, 'v4l2m2m'],
  [/mediacodec/, 'mediacodec'],
  [/rkmpp/, 'rkmpp'],
  [/^drm$/, 'drm'],
];

/** The acceleration API a hwaccel, device type, codec or filter name belongs to (`nvdec` → `cuda`). */
export function apiOf(name: string): string | null {
  const lower = name.toLowerCase();
  for (const [pattern, api] of API_NAMES) if (pattern.test(lower)) return api;
  return null;
}

const HW_FILTER_SUFFIXES: readonly string[] = [
  '_vaapi', '_cuda', '_npp', '_qsv', '_opencl', '_vulkan', '_videotoolbox', '_vt', '_amf', '_d3d11',
];

/** True for filters that run on, or move frames to/from, a GPU (`hwupload`, `scale_vaapi`, `vpp_qsv` …). */
export function isHardwareFilter(name: string): boolean {
  return (
    name.startsWith('hw') ||
    HW_FILTER_SUFFIXES.some((suffix) => name.endsWith(suffix)) ||
    name === 'vpp_qsv' ||
    name === 'vpp_amf' ||
    name === 'libplacebo'
  );
}
