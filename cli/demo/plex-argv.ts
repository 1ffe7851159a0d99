/**
 * The argv Plex Media Server gives its transcoder for an HLS play, built for one local clip: the
 * shape of the corpus's Android samples (software decode and scale, libx264 with Plex's x264
 * options, AAC, `-f ssegment` Matroska segments with a separate header, the CSV segment list
 * POSTed to Plex's manifest URL, `-progressurl`), with Plex's URLs pointing at `plexUrl`.
 */

export interface PlexHlsOptions {
  /** The input file, as Plex names it. */
  input: string;
  /** The stand-in Plex, `http://127.0.0.1:<port>` (Plex's own is `http://127.0.0.1:32400`). */
  plexUrl: string;
  /** Plex's session key and transcode id, the two parts of its session URLs. */
  session: { key: string; id: string };
  /** Output height; the width keeps 16:9. */
  height?: number;
}

/** The session path both callbacks share: `/video/:/transcode/session/<key>/<id>`. */
export function sessionPath(session: { key: string; id: string }): string {
  return `/video/:/transcode/session/${session.key}/${session.id}`;
}

/** Plex's HLS argv (1 s segments `media-%05d.ts` in the working folder, `header` beside them). */
export function buildPlexHlsArgv(options: PlexHlsOptions): string[] {
  const base = `${options.plexUrl}${sessionPath(options.session)}`;
  const height = options.height ?? 720;
  const width = Math.round((height * 16) / 9 / 2) * 2;
  return [
    '-codec:0', 'h264', '-codec:1', 'aac',
    '-analyzeduration', '20000000', '-probesize', '20000000',
    '-i', options.input,
    '-start_at_zero', '-copyts', '-fps_mode', 'cfr',
    '-y', '-nostats', '-loglevel', 'quiet', '-loglevel_plex', 'error',
    '-progressurl', `${base}/progress`,
    '-filter_complex', `[0:0]scale=w=${width}:h=${height}:force_divisible_by=4[0];[0]format=pix_fmts=yuv420p|nv12[1]`,
    '-map', '[1]', '-metadata:s:0', 'language=eng',
    '-codec:0', 'libx264', '-crf:0', '21', '-maxrate:0', '4000k', '-bufsize:0', '8000k', '-r:0', '24',
    '-preset:0', 'veryfast', '-x264opts:0', 'subme=2:me_range=4:rc_lookahead=20:me=hex',
    '-force_key_frames:0', 'expr:gte(t,n_forced*1)',
    '-filter_complex', "[0:1] aresample=async=1:ochl='stereo':rematrix_maxval=0.000000dB:osr=48000[2]",
    '-map', '[2]', '-metadata:s:1', 'language=eng', '-codec:1', 'aac', '-b:1', '256k',
    '-segment_format', 'matroska', '-f', 'ssegment', '-individual_header_trailer', '0', '-flags', '+global_header',
    '-segment_header_filename', 'header', '-segment_time', '1', '-segment_start_number', '0', '-segment_time_delta', '0.0625',
    '-segment_list', `${base}/manifest?X-Plex-Http-Pipeline=infinite`, '-segment_list_type', 'csv', '-segment_list_size', '5',
    '-segment_list_separate_stream_times', '1', '-segment_list_unfinished', '1',
    '-segment_format_options', 'output_ts_offset=10', '-max_delay', '5000000', '-avoid_negative_ts', 'disabled',
    '-map_metadata', '-1', '-map_chapters', '-1', 'media-%05d.ts',
  ];
}
