/**
 * Muxers (`-f` before an output) and demuxers (`-f` before an input, and what content detection
 * may pick) the allow-list accepts: the containers, raw streams and subtitle formats a media
 * server plays. Refused on purpose: playlist and list demuxers (`concat`, `hls` for files,
 * `dash`, `image2` patterns, `imf`, `webm_dash_manifest`) that open files the worker cannot check,
 * devices and generators (`lavfi`, `v4l2` …), network streams (`rtp`, `rtsp`, `sdp`), and
 * muxers that open outputs of their own (`tee`, `fifo`) or talk to devices.
 */

/** Demuxers a media file, sidecar subtitle or cover image may be read with. */
export const DEMUXERS: readonly string[] = [
  'matroska', 'webm', 'mov', 'mp4', 'm4a', '3gp', '3g2', 'mj2', 'mpegts', 'avi', 'asf', 'flv', 'live_flv', 'mpeg',
  'mpegvideo', 'm4v', 'h264', 'hevc', 'vc1', 'av1', 'obu', 'ivf', 'dv', 'mxf', 'gxf', 'nut', 'nuv', 'ogg', 'rm',
  'wtv', 'ty', 'wv', 'flac', 'mp3', 'aac', 'ac3', 'eac3', 'dts', 'dtshd', 'truehd', 'mlp', 'wav', 'w64', 'aiff',
  'caf', 'ape', 'mpc', 'mpc8', 'tta', 'tak', 'dsf', 'amr', 'amrnb', 'amrwb', 'au', 'oma', 'shn', 'xwma', 'spdif',
  'loas', 'mjpeg', 'srt', 'ass', 'webvtt', 'subviewer', 'subviewer1', 'microdvd', 'sami', 'mpl2', 'mpsub',
  'jacosub', 'pjs', 'realtext', 'stl', 'vplayer', 'lrc', 'sup', 'vobsub', 'dvbsub', 'dvbtxt', 'scc', 'png_pipe',
  'jpeg_pipe', 'bmp_pipe', 'webp_pipe', 'tiff_pipe', 'gif',
];

/** Demuxers an http(s) input may also use (live TV playlists); never a file input. */
export const HTTP_ONLY_DEMUXERS: readonly string[] = ['hls'];

/** Muxers an output may use. */
export const MUXERS: ReadonlySet<string> = new Set([
  'mp4', 'mov', 'ipod', 'ismv', 'matroska', 'webm', 'mpegts', 'segment', 'ssegment', 'stream_segment', 'hls', 'dash',
  'image2', 'image2pipe', 'mjpeg', 'null', 'flac', 'adts', 'mp3', 'ogg', 'oga', 'opus', 'wav', 'webvtt', 'srt',
  'ass', 'avi', 'mpeg', 'vob', 'dvd', 'flv', 'latm', 'nut', 'h264', 'hevc', 'ac3', 'eac3', 'truehd', 'mlp', 'dts',
  'sup', 'wv', 'tta', 'aiff', 'caf', 'spdif', 'webp', 'apng', 'gif', 'rawvideo', 'ffmetadata',
]);

/** Muxers a segmenter or DASH/HLS output may nest (`-segment_format`, `-dash_segment_type`). */
export const NESTED_MUXERS: ReadonlySet<string> = new Set([
  'mpegts', 'matroska', 'webm', 'mp4', 'mov', 'ipod', 'adts', 'ac3', 'eac3', 'flac', 'mp3', 'webvtt', 'srt', 'ass',
  'ogg', 'opus', 'wav', 'latm', 'nut',
]);

/** The muxer ffmpeg guesses from an output name's extension when no `-f` names one (allowed ones only). */
export const MUXER_BY_EXTENSION: ReadonlyMap<string, string> = new Map([
  ['mp4', 'mp4'], ['m4v', 'mp4'], ['m4a', 'ipod'], ['mov', 'mov'], ['mkv', 'matroska'], ['mka', 'matroska'],
  ['mks', 'matroska'], ['webm', 'webm'], ['ts', 'mpegts'], ['m2ts', 'mpegts'], ['mts', 'mpegts'], ['m3u8', 'hls'],
  ['mpd', 'dash'], ['jpg', 'image2'], ['jpeg', 'image2'], ['png', 'image2'], ['bmp', 'image2'], ['tif', 'image2'],
  ['tiff', 'image2'], ['flac', 'flac'], ['aac', 'adts'], ['mp3', 'mp3'], ['ogg', 'ogg'], ['oga', 'oga'],
  ['opus', 'opus'], ['wav', 'wav'], ['vtt', 'webvtt'], ['srt', 'srt'], ['ass', 'ass'], ['ssa', 'ass'], ['avi', 'avi'],
  ['mpg', 'mpeg'], ['mpeg', 'mpeg'], ['vob', 'vob'], ['flv', 'flv'], ['nut', 'nut'], ['ac3', 'ac3'], ['eac3', 'eac3'],
  ['dts', 'dts'], ['gif', 'gif'], ['webp', 'webp'], ['apng', 'apng'], ['sup', 'sup'], ['wv', 'wv'], ['aiff', 'aiff'],
  ['caf', 'caf'], ['h264', 'h264'], ['264', 'h264'], ['hevc', 'hevc'], ['265', 'hevc'], ['mjpg', 'mjpeg'],
]);

const DEMUXER_SET: ReadonlySet<string> = new Set(DEMUXERS);

/** True when `-f name` may name an input's demuxer (`http`: the input is an http(s) URL). */
export function isAllowedDemuxer(name: string, http: boolean): boolean {
  return DEMUXER_SET.has(name) || (http && HTTP_ONLY_DEMUXERS.includes(name));
}

/** The `-format_whitelist` the worker gives each input so content detection cannot pick another demuxer. */
export function demuxerWhitelist(http: boolean): string {
  return (http ? [...DEMUXERS, ...HTTP_ONLY_DEMUXERS] : DEMUXERS).join(',');
}

/** The muxer of an output: its `-f`, else the one its extension implies; null when neither names an allowed one. */
export function outputMuxer(format: string | undefined, target: string): string | null {
  if (format !== undefined) return MUXERS.has(format) ? format : null;
  const dot = /\.([A-Za-z0-9]+)$/.exec(target.split('?')[0] ?? target);
  return dot === null ? null : (MUXER_BY_EXTENSION.get((dot[1] as string).toLowerCase()) ?? null);
}
