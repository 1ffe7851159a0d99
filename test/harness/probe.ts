/** ffprobe for tests: the JSON of a file, and the facts tests compare. */
import { runTool } from './ffmpeg-tools.ts';

/** The parts of one `ffprobe -show_streams` stream the harness reads (ffprobe's own names). */
export interface FfprobeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  pix_fmt?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  color_primaries?: string;
  color_transfer?: string;
  color_space?: string;
  sample_rate?: string;
  channels?: number;
  channel_layout?: string;
  start_time?: string;
  duration?: string;
  tags?: Record<string, string>;
}

/** `ffprobe -show_streams -show_format -of json`, typed minimally. */
export interface FfprobeResult {
  streams: FfprobeStream[];
  format: { format_name?: string; duration?: string; size?: string; start_time?: string; tags?: Record<string, string> };
}

/** One stream as tests compare it. */
export interface StreamFacts {
  index: number;
  type: string;
  codec: string;
  profile?: string;
  pixFmt?: string;
  width?: number;
  height?: number;
  frameRate?: number;
  colorPrimaries?: string;
  colorTransfer?: string;
  colorSpace?: string;
  sampleRate?: number;
  channels?: number;
  channelLayout?: string;
  language?: string;
}

/** Probes `path` with ffprobe (streams and format) and returns its JSON. */
export async function probeMedia(path: string): Promise<FfprobeResult> {
  const { stdout } = await runTool('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', path]);
  const parsed = JSON.parse(stdout) as Partial<FfprobeResult>;
  return { streams: parsed.streams ?? [], format: parsed.format ?? {} };
}

/** The facts of one ffprobe stream, with numbers parsed and absent values left out. */
export function streamFacts(s: FfprobeStream): StreamFacts {
  const facts: StreamFacts = { index: s.index, type: s.codec_type ?? 'unknown', codec: s.codec_name ?? 'unknown' };
  const set = <K extends keyof StreamFacts>(key: K, value: StreamFacts[K] | undefined) => {
    if (value !== undefined && value !== '' && !Number.isNaN(value)) facts[key] = value;
  };
  set('profile', s.profile);
  set('pixFmt', s.pix_fmt);
  set('width', s.width);
  set('height', s.height);
  set('frameRate', s.codec_type === 'video' ? parseRate(s.avg_frame_rate) : undefined);
  set('colorPrimaries', s.color_primaries);
  set('colorTransfer', s.color_transfer);
  set('colorSpace', s.color_space);
  set('sampleRate', s.sample_rate === undefined ? undefined : Number(s.sample_rate));
  set('channels', s.channels);
  set('channelLayout', s.channel_layout);
  set('language', s.tags?.language);
  return facts;
}

/** `24/1` → 24; undefined for `0/0` or anything unparsable. */
function parseRate(rate: string | undefined): number | undefined {
  const [num, den] = (rate ?? '').split('/').map(Number);
  return num !== undefined && den !== undefined && den > 0 && num > 0 ? num / den : undefined;
}
