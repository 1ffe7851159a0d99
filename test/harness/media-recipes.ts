/**
 * What test media the harness makes, and what ffprobe must find in each. Every video has its
 * streams in Plex's usual order (0 video, 1 audio, 2+ subtitles: the corpus maps `0:1`, `0:2`),
 * 24 fps with a keyframe every second (1 s segments, seeks to whole seconds) and lasts 10 s.
 */
import { ASS_TEXT, SRT_TEXT } from './subtitles.ts';

export const MEDIA_KEYS = ['hevc10Eac3', 'h264Fhd', 'h264Aac', 'av1Eac3', 'hevc8Ac3', 'h264Dts', 'liveTs', 'audioFlac', 'srt', 'ass'] as const;
/** Names of the test media files (keys of `TestMedia.files`). */
export type MediaKey = (typeof MEDIA_KEYS)[number];

/** A stream ffprobe must report; `channelLayout` is a prefix (`5.1` accepts `5.1(side)`). */
export interface ExpectedStream {
  type: 'video' | 'audio' | 'subtitle';
  codec: string;
  profile?: string;
  pixFmt?: string;
  width?: number;
  height?: number;
  colorTransfer?: string;
  colorPrimaries?: string;
  colorSpace?: string;
  channels?: number;
  channelLayout?: string;
  sampleRate?: number;
}

/** How one file is made: ffmpeg args run in the media folder (outputs relative), or literal text. */
export interface MediaRecipe {
  key: MediaKey;
  file: string;
  description: string;
  ffmpeg?: readonly string[];
  text?: string;
  /** Substring of ffprobe's `format_name`. */
  format: string;
  /** Expected duration in seconds (checked to ±0.5 s); absent for subtitles. */
  duration?: number;
  streams: readonly ExpectedStream[];
}

const SECONDS = 10;
const video = (size: string) => ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=24:duration=${SECONDS}`];
const sine = (layout: string) => ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${SECONDS},${layout}`];
const STEREO = sine('pan=stereo|FL=c0|FR=c0');
const SURROUND = sine('pan=5.1|FL=c0|FR=c0|FC=c0|LFE=c0|BL=c0|BR=c0');
const X264 = ['-c:v', 'libx264', '-preset', 'superfast', '-profile:v', 'high', '-pix_fmt', 'yuv420p', '-g', '24', '-keyint_min', '24', '-sc_threshold', '0'];
const X265_PARAMS = 'log-level=error:keyint=24:min-keyint=24:scenecut=0';
const HDR10_X265 = ':hdr10=1:repeat-headers=1:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc'
  + ':master-display=G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1):max-cll=1000,400';
const HDR10_TAGS = ['-color_primaries', 'bt2020', '-color_trc', 'smpte2084', '-colorspace', 'bt2020nc', '-color_range', 'tv'];
const HDR10_EXPECT = { pixFmt: 'yuv420p10le', colorPrimaries: 'bt2020', colorTransfer: 'smpte2084', colorSpace: 'bt2020nc' };
const ENG = (spec: string) => [`-metadata:s:${spec}`, 'language=eng'];
const SUBS_IN = ['-i', 'subs.ass', '-i', 'subs.srt'];
const AAC = ['-c:a', 'aac', '-b:a', '128k'];
const AAC_STEREO = { type: 'audio', codec: 'aac', channels: 2, channelLayout: 'stereo', sampleRate: 48000 } as const;
const SURROUND_OF = (codec: string) => ({ type: 'audio', codec, channels: 6, channelLayout: '5.1', sampleRate: 48000 }) as const;
const ASS_STREAM = { type: 'subtitle', codec: 'ass' } as const;
const SRT_STREAM = { type: 'subtitle', codec: 'subrip' } as const;
const title = (text: string) => ['-metadata', `title=PlexBeam test media: ${text}`];

/** Every test medium, heaviest first (they are made two at a time). */
export const MEDIA_RECIPES: readonly MediaRecipe[] = [
  {
    key: 'hevc10Eac3', file: 'hevc10-eac3.mkv', format: 'matroska', duration: SECONDS,
    description: 'HEVC Main10 540p tagged HDR10 (bt2020/smpte2084), EAC3 5.1, embedded ASS (0:2) and SRT (0:3)',
    ffmpeg: [...video('960x540'), ...SURROUND, ...SUBS_IN, '-map', '0:v', '-map', '1:a', '-map', '2:s', '-map', '3:s',
      '-c:v', 'libx265', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p10le', '-x265-params', X265_PARAMS + HDR10_X265, ...HDR10_TAGS,
      '-c:a', 'eac3', '-b:a', '384k', '-c:s:0', 'ass', '-c:s:1', 'srt', ...ENG('a:0'), ...ENG('s:0'), ...ENG('s:1'), ...title('HEVC 10-bit HDR10'), 'hevc10-eac3.mkv'],
    streams: [{ type: 'video', codec: 'hevc', profile: 'Main 10', width: 960, height: 540, ...HDR10_EXPECT }, SURROUND_OF('eac3'), ASS_STREAM, SRT_STREAM],
  },
  {
    key: 'h264Fhd', file: 'h264-1080p.mkv', format: 'matroska', duration: SECONDS,
    description: 'H.264 High 1080p yuv420p, AAC stereo, embedded ASS (0:2) and SRT (0:3): the 1080p→720p benchmark source',
    ffmpeg: [...video('1920x1080'), ...STEREO, ...SUBS_IN, '-map', '0:v', '-map', '1:a', '-map', '2:s', '-map', '3:s', ...X264, ...AAC,
      '-c:s:0', 'ass', '-c:s:1', 'srt', ...ENG('a:0'), ...ENG('s:0'), ...ENG('s:1'), ...title('H.264 1080p'), 'h264-1080p.mkv'],
    streams: [{ type: 'video', codec: 'h264', profile: 'High', pixFmt: 'yuv420p', width: 1920, height: 1080 }, AAC_STEREO, ASS_STREAM, SRT_STREAM],
  },
  {
    key: 'h264Aac', file: 'h264-aac.mkv', format: 'matroska', duration: SECONDS,
    description: 'H.264 High 720p yuv420p, AAC stereo, embedded ASS (0:2) and SRT (0:3)',
    ffmpeg: [...video('1280x720'), ...STEREO, ...SUBS_IN, '-map', '0:v', '-map', '1:a', '-map', '2:s', '-map', '3:s', ...X264, ...AAC,
      '-c:s:0', 'ass', '-c:s:1', 'srt', ...ENG('a:0'), ...ENG('s:0'), ...ENG('s:1'), ...title('H.264 + AAC'), 'h264-aac.mkv'],
    streams: [{ type: 'video', codec: 'h264', profile: 'High', pixFmt: 'yuv420p', width: 1280, height: 720 }, AAC_STEREO, ASS_STREAM, SRT_STREAM],
  },
  {
    key: 'av1Eac3', file: 'av1-hdr10-eac3.mkv', format: 'matroska', duration: SECONDS,
    description: 'AV1 10-bit 360p tagged HDR10 (SVT-AV1), EAC3 5.1, embedded SRT (0:2): stands in for the corpus AV1 sources',
    ffmpeg: [...video('640x360'), ...SURROUND, '-i', 'subs.srt', '-map', '0:v', '-map', '1:a', '-map', '2:s',
      '-c:v', 'libsvtav1', '-preset', '12', '-g', '24', '-pix_fmt', 'yuv420p10le', ...HDR10_TAGS, '-c:a', 'eac3', '-b:a', '384k',
      '-c:s', 'srt', ...ENG('a:0'), ...ENG('s:0'), ...title('AV1 10-bit HDR10'), 'av1-hdr10-eac3.mkv'],
    streams: [{ type: 'video', codec: 'av1', width: 640, height: 360, ...HDR10_EXPECT }, SURROUND_OF('eac3'), SRT_STREAM],
  },
  {
    key: 'hevc8Ac3', file: 'hevc8-ac3.mp4', format: 'mp4', duration: SECONDS,
    description: 'HEVC Main 8-bit 360p (hvc1), AC3 5.1, in MP4 with faststart',
    ffmpeg: [...video('640x360'), ...SURROUND, '-map', '0:v', '-map', '1:a', '-c:v', 'libx265', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
      '-x265-params', X265_PARAMS, '-tag:v', 'hvc1', '-c:a', 'ac3', '-b:a', '448k', ...ENG('a:0'), '-movflags', '+faststart', ...title('HEVC 8-bit + AC3'), 'hevc8-ac3.mp4'],
    streams: [{ type: 'video', codec: 'hevc', profile: 'Main', pixFmt: 'yuv420p', width: 640, height: 360 }, SURROUND_OF('ac3')],
  },
  {
    key: 'h264Dts', file: 'h264-dts.mkv', format: 'matroska', duration: SECONDS,
    description: 'H.264 High 360p, DTS 5.1 (corpus 16: video copy, dca → AAC)',
    ffmpeg: [...video('640x360'), ...SURROUND, '-map', '0:v', '-map', '1:a', ...X264, '-c:a', 'dca', '-strict', '-2', ...ENG('a:0'), ...title('H.264 + DTS'), 'h264-dts.mkv'],
    streams: [{ type: 'video', codec: 'h264', width: 640, height: 360 }, SURROUND_OF('dts')],
  },
  {
    key: 'liveTs', file: 'live-h264-aac.ts', format: 'mpegts', duration: SECONDS,
    description: 'H.264 360p + AAC stereo in MPEG-TS: served over HTTP by the fake PMS as a live input (corpus 17)',
    ffmpeg: [...video('640x360'), ...STEREO, '-map', '0:v', '-map', '1:a', ...X264, ...AAC, '-f', 'mpegts', 'live-h264-aac.ts'],
    streams: [{ type: 'video', codec: 'h264', width: 640, height: 360 }, AAC_STEREO],
  },
  {
    key: 'audioFlac', file: 'audio.flac', format: 'flac', duration: SECONDS,
    description: 'FLAC stereo 48 kHz, audio only',
    ffmpeg: [...STEREO, '-c:a', 'flac', ...title('FLAC'), 'audio.flac'],
    streams: [{ type: 'audio', codec: 'flac', channels: 2, channelLayout: 'stereo', sampleRate: 48000 }],
  },
  { key: 'srt', file: 'subs.srt', format: 'srt', text: SRT_TEXT, description: 'Sidecar SRT (5 cues, UTF-8)', streams: [SRT_STREAM] },
  { key: 'ass', file: 'subs.ass', format: 'ass', text: ASS_TEXT, description: 'Sidecar ASS (5 cues, 2 styles)', streams: [ASS_STREAM] },
];
