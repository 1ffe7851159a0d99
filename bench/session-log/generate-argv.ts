/** Plex-like command lines for synthetic sessions, prepared once per profile as JSON text with holes. */
import type { SessionProfile } from './generate-profiles.ts';

/** Values that change from one session to the next. */
export interface ArgvValues {
  input: string;
  videoIn: string;
  audioIn: string;
  width: number;
  height: number;
  seekS: number;
  session: string;
}

/** A prepared command line: `render` fills the holes (the cartridge's parser names its pattern). */
export interface ArgvTemplate {
  render(values: ArgvValues): string;
}

const HOLES = ['input', 'videoIn', 'audioIn', 'width', 'height', 'seekS', 'session'] as const;
const mark = (name: string) => `\u241f${name}\u241f`;
const PROGRESS = `http://127.0.0.1:32400/video/:/transcode/session/${mark('session')}/progress`;
const TAIL = ['-start_at_zero', '-copyts', '-y', '-nostats', '-loglevel', 'quiet', '-loglevel_plex', 'error', '-progressurl', PROGRESS];

function videoArgs(profile: SessionProfile): string[] {
  const scale = `[0:0]scale=w=${mark('width')}:h=${mark('height')}:force_divisible_by=4[0]`;
  const tonemap = profile.toneMapping ? ';[0]tonemap_opencl=tonemap=hable:desat=0:format=nv12[t]' : '';
  const burn = profile.burnIn === 'inlineass' ? ';[0]inlineass=file=sub.ass:font_scale=1[s]' : profile.burnIn === 'overlay' ? ';[0][0:2]overlay[s]' : '';
  const args = ['-filter_complex', `${scale}${tonemap}${burn}`, '-map', '[0]', '-metadata:s:0', 'language=eng'];
  if (profile.videoOut === 'copy') return ['-map', '0:0', '-codec:0', 'copy'];
  return [...args, '-codec:0', profile.videoOut ?? 'libx264', '-crf:0', '21', '-maxrate:0', '4000k', '-bufsize:0', '8000k', '-r:0', '23.975999999999999', '-preset:0', 'veryfast', '-x264opts:0', 'subme=2:me_range=4:rc_lookahead=10:me=hex:8x8dct=0:partitions=none', '-force_key_frames:0', 'expr:gte(t,n_forced*1)'];
}

function audioArgs(profile: SessionProfile): string[] {
  if (profile.audioOut === 'copy') return ['-map', '0:1', '-codec:1', 'copy'];
  return ['-filter_complex', '[0:1] aresample=async=1:ochl=stereo:rematrix_maxval=0.000000dB:osr=48000[2]', '-map', '[2]', '-metadata:s:1', 'language=eng', '-codec:1', profile.audioOut ?? 'aac', '-b:1', '256k'];
}

const SEGMENTS = ['-segment_format', 'mpegts', '-f', 'ssegment', '-individual_header_trailer', '0', '-flags', '+global_header', '-segment_header_filename', 'header', '-segment_time', '1', '-segment_start_number', '0', '-segment_copyts', '1', '-segment_time_delta', '0.0625', '-segment_list', `http://127.0.0.1:32400/video/:/transcode/session/${mark('session')}/manifest`, '-segment_list_type', 'csv', '-segment_list_size', '5', '-segment_list_unfinished', '1', '-max_delay', '5000000', '-avoid_negative_ts', 'disabled', '-map_metadata', '-1', '-map_chapters', '-1', 'media-%05d.ts'];
const DASH = ['-f', 'dash', '-seg_duration', '1', '-dash_segment_type', 'mp4', '-init_seg_name', 'init-stream$RepresentationID$.m4s', '-media_seg_name', 'chunk-stream$RepresentationID$-$Number%05d$.m4s', '-window_size', '5', '-delete_removed', 'false', '-skip_to_segment', '1', '-time_delta', '0.0625', '-manifest_name', `http://127.0.0.1:32400/video/:/transcode/session/${mark('session')}/manifest`, '-avoid_negative_ts', 'disabled', '-map_metadata', '-1', '-map_chapters', '-1', 'dash'];

/** The argv of one profile, with or without a seek, for a client speaking `protocol`. */
function argvOf(profile: SessionProfile, protocol: string | null, seek: boolean): string[] {
  const ss = seek ? ['-ss', mark('seekS')] : [];
  const input = ['-analyzeduration', '20000000', '-probesize', '20000000', '-i', mark('input')];
  switch (profile.kind) {
    case 'capability-query':
      return ['-hide_banner', '-encoders'];
    case 'unknown':
      // Neither a query nor a transcode: no input, no output.
      return ['-hide_banner', '-loglevel', 'error'];
    case 'audio-only':
      return ['-codec:0', mark('audioIn'), ...ss, '-i', mark('input'), '-map', '0:0', '-codec:0', 'libmp3lame', '-b:0', '320k', '-f', 'mp3', ...TAIL, 'pipe:1'];
    case 'detection':
      return ['-codec:0', mark('videoIn'), ...input, '-map', '0:1', '-ac', '1', '-ar', '22050', '-f', 'chromaprint', '-fp_format', 'raw', ...TAIL, 'pipe:1'];
    default: {
      const out = profile.kind === 'optimize' ? ['-f', 'matroska', `/data/media/movies/Plex Versions/Optimized for TV/${mark('session')}.mkv`] : protocol === 'dash' ? DASH : SEGMENTS;
      return ['-codec:0', mark('videoIn'), '-codec:1', mark('audioIn'), ...ss, ...input, ...videoArgs(profile), ...audioArgs(profile), ...out, ...TAIL];
    }
  }
}

/** Prepares the template of one profile/protocol/seek combination. */
export function createArgvTemplate(profile: SessionProfile, protocol: string | null, seek: boolean): ArgvTemplate {
  const argv = argvOf(profile, protocol, seek);
  // JSON first, then split at the holes: rendering is string concatenation, no per-session JSON.stringify of the array.
  const pieces = JSON.stringify(argv).split('\u241f');
  const render = (values: ArgvValues): string => {
    let text = '';
    for (let i = 0; i < pieces.length; i += 1) {
      const piece = pieces[i] as string;
      text += i % 2 === 0 ? piece : JSON.stringify(String(values[piece as (typeof HOLES)[number]])).slice(1, -1);
    }
    return text;
  };
  return { render };
}
