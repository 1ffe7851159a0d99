/**
 * The transcode the benchmarks run: Plex's own argv shape for an HLS play (the stream segmenter,
 * matroska-in-.ts 1 s segments, the CSV segment list POSTed to Plex, `-progressurl`), as a
 * GPU-less Plex writes it for a 1080p H.264 source shown at 720p (libx264 veryfast, AAC stereo).
 */

/** A session's two Plex URLs and where the input is. */
export interface PlexArgvOptions {
  input: string;
  /** The Plex Media Server the callbacks go to (`http://127.0.0.1:<port>`). */
  pmsUrl: string;
  /** Session id in the callback paths (one per run, as Plex does). */
  session: string;
}

/** Plex's argv (without the program name) for a 720p HLS transcode of `input`. */
export function plexHlsArgv({ input, pmsUrl, session }: PlexArgvOptions): string[] {
  const base = `${pmsUrl}/video/:/transcode/session/${session}/bench-0000-4000-8000-000000000000`;
  return [
    '-codec:0', 'h264', '-codec:1', 'aac', '-analyzeduration', '20000000', '-probesize', '20000000', '-i', input,
    '-start_at_zero', '-copyts', '-fps_mode', 'cfr', '-y', '-nostats', '-loglevel', 'quiet', '-loglevel_plex', 'error',
    '-progressurl', `${base}/progress`,
    '-filter_complex', '[0:0]scale=w=1280:h=720:force_divisible_by=4[0];[0]format=pix_fmts=yuv420p|nv12[1]',
    '-map', '[1]', '-metadata:s:0', 'language=eng', '-codec:0', 'libx264', '-crf:0', '21', '-maxrate:0', '4000k', '-bufsize:0', '8000k',
    '-r:0', '24', '-preset:0', 'veryfast', '-x264opts:0', 'subme=2:me_range=4:rc_lookahead=20:me=hex', '-force_key_frames:0', 'expr:gte(t,n_forced*1)',
    '-filter_complex', "[0:1] aresample=async=1:ochl='stereo':rematrix_maxval=0.000000dB:osr=48000[2]",
    '-map', '[2]', '-metadata:s:1', 'language=eng', '-codec:1', 'aac', '-b:1', '162k',
    '-segment_format', 'matroska', '-f', 'ssegment', '-individual_header_trailer', '0', '-flags', '+global_header',
    '-segment_header_filename', 'header', '-segment_time', '1', '-segment_start_number', '0', '-segment_time_delta', '0.0625',
    '-segment_list', `${base}/manifest?X-Plex-Http-Pipeline=infinite`, '-segment_list_type', 'csv', '-segment_list_size', '5',
    '-segment_list_separate_stream_times', '1', '-segment_list_unfinished', '1',
    '-max_delay', '5000000', '-avoid_negative_ts', 'disabled', '-map_metadata', '-1', '-map_chapters', '-1', 'media-%05d.ts',
  ];
}

/** The name of the first segment Plex serves, as the argv's pattern makes it. */
export const FIRST_SEGMENT = 'media-00000.ts';
