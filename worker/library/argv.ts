/**
 * ffmpeg's argv for a library job, built by the worker alone (nothing of the request reaches it
 * but the two checked paths and the quality number): every stream and the chapters and metadata
 * kept as they are (`-map 0 -map_metadata 0 -map_chapters 0 -c copy`), each video stream that is
 * not a cover picture re-encoded, the container kept.
 */
import type { LibraryRequest } from './request.ts';
import type { LibraryEncoder } from './encoder.ts';

/** What the argv needs of ffprobe's view of the input. */
export interface LibraryStream {
  index: number;
  codec_type: string;
  codec_name?: string;
  codec_tag_string?: string;
  pix_fmt?: string;
  disposition?: { attached_pic?: number };
}

/** Default quality (CRF-like) per encoder family: visually transparent for most films. */
const DEFAULT_QUALITY: Readonly<Record<string, number>> = { libx265: 24, libsvtav1: 32, 'libaom-av1': 32, hevc: 26, av1: 32 };

/** The demuxers an input may be read with (the containers `request.ts` accepts). */
const INPUT_FORMATS = 'matroska,mov';

/** The pixel formats SVT-AV1 takes; anything else is converted to the nearest of them. */
const SVT_FORMATS = new Set(['yuv420p', 'yuv420p10le']);

/** One video stream's encoder options, with `:v:N` stream specifiers (N counts video streams). */
function videoOptions(encoder: LibraryEncoder, n: number, quality: number | null, stream: LibraryStream, codec: LibraryRequest['codec']): string[] {
  const s = `:v:${n}`;
  const q = String(quality ?? DEFAULT_QUALITY[encoder.name] ?? DEFAULT_QUALITY[codec]);
  const head = [`-c${s}`, encoder.name];
  switch (encoder.hwaccel) {
    case 'nvenc':
      return [...head, `-preset${s}`, 'p5', `-rc${s}`, 'vbr', `-cq${s}`, q, `-b${s}`, '0'];
    case 'qsv':
      return [...head, `-filter${s}`, 'format=nv12,hwupload=extra_hw_frames=64', `-global_quality${s}`, q];
    case 'vaapi':
      return [...head, `-filter${s}`, 'format=nv12,hwupload', `-rc_mode${s}`, 'CQP', `-qp${s}`, q];
    default:
      break;
  }
  if (encoder.name === 'libx265') return [...head, `-preset${s}`, 'medium', `-crf${s}`, q, `-x265-params${s}`, 'log-level=warning'];
  const pixFmt = stream.pix_fmt !== undefined && !SVT_FORMATS.has(stream.pix_fmt) ? [`-pix_fmt${s}`, /1[0-6]/.test(stream.pix_fmt) ? 'yuv420p10le' : 'yuv420p'] : [];
  if (encoder.name === 'libsvtav1') return [...head, `-preset${s}`, '8', `-crf${s}`, q, ...pixFmt];
  // libaom-av1 only when SVT-AV1 is missing: its fastest good-quality settings.
  return [...head, `-cpu-used${s}`, '6', `-row-mt${s}`, '1', `-crf${s}`, q, `-b${s}`, '0', ...pixFmt];
}

/** True for a cover picture (an attached mjpeg/png), which is copied, never encoded. */
export function isCoverPicture(stream: LibraryStream): boolean {
  return stream.disposition?.attached_pic === 1 || ['mjpeg', 'png', 'bmp', 'gif'].includes(stream.codec_name ?? '');
}

/**
 * True for the text track MP4/MOV files hold their chapters in (a data stream tagged `text`): the
 * muxer writes it again from `-map_chapters 0`, so copying it too would add a second one.
 */
export function isChapterTrack(stream: LibraryStream): boolean {
  return stream.codec_type === 'data' && stream.codec_tag_string === 'text';
}

/**
 * The argv after the runner's own `-nostdin -progress pipe:3`. `-y` because the worker has
 * created the (empty) output itself, exclusively, before ffmpeg runs; both files go by `file:`
 * with the protocol pinned, the input's demuxer to the accepted containers.
 */
export function buildLibraryArgv(request: Pick<LibraryRequest, 'input' | 'output' | 'codec' | 'quality' | 'muxer'>, encoder: LibraryEncoder, streams: readonly LibraryStream[]): string[] {
  const device = encoder.device ?? '/dev/dri/renderD128';
  const hw = encoder.hwaccel === 'vaapi' ? ['-init_hw_device', `vaapi=va:${device}`, '-filter_hw_device', 'va']
    : encoder.hwaccel === 'qsv' ? ['-init_hw_device', `vaapi=va:${device}`, '-init_hw_device', 'qsv=qs@va', '-filter_hw_device', 'qs']
    : [];
  const argv = ['-hide_banner', '-y', ...hw, '-protocol_whitelist', 'file', '-format_whitelist', INPUT_FORMATS, '-i', `file:${request.input}`];
  argv.push('-map', '0');
  if (request.muxer !== 'matroska') for (const stream of streams.filter(isChapterTrack)) argv.push('-map', `-0:${stream.index}`);
  argv.push('-map_metadata', '0', '-map_chapters', '0', '-c', 'copy');
  const videos = streams.filter((stream) => stream.codec_type === 'video');
  for (const [n, stream] of videos.entries()) {
    if (isCoverPicture(stream)) continue;
    argv.push(...videoOptions(encoder, n, request.quality, stream, request.codec));
    // Apple players want HEVC tagged hvc1 in MP4/MOV (ffmpeg's default hev1 plays elsewhere only).
    if (request.codec === 'hevc' && request.muxer !== 'matroska') argv.push(`-tag:v:${n}`, 'hvc1');
  }
  argv.push('-max_muxing_queue_size', '4096', '-f', request.muxer, '-protocol_whitelist', 'file', `file:${request.output}`);
  return argv;
}
