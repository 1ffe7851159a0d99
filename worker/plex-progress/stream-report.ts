// Plex's per-stream requests (`/stream`, `/streamDetail`) built from ffprobe's stream facts.

/** The ffprobe stream fields Plex's transcoder reports. */
export interface ReportedStream {
  index: number;
  codec_type: string;
  codec_name: string;
  profile?: string;
  bit_rate?: string;
  width?: number;
  height?: number;
  field_order?: string;
  sample_aspect_ratio?: string;
  level?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  channels?: number;
  channel_layout?: string;
  sample_rate?: string;
  bits_per_raw_sample?: string;
  closed_captions?: number;
  tags?: { language?: string };
  disposition?: Record<string, number>;
}

const rate = (r: string | undefined): number | null => {
  const [n, d] = (r ?? '').split('/').map(Number);
  return n !== undefined && d ? n / d : null;
};

/** Query string of `PUT <url>/stream?index=&id=&codec=&type=`. */
export function streamQuery(s: ReportedStream, fileIndex: number): string {
  return new URLSearchParams({ index: String(s.index), id: String(fileIndex), codec: s.codec_name, type: s.codec_type }).toString();
}

/** Query string of `PUT <url>/streamDetail?…` (field order as in plex_report_stream_detail). */
export function streamDetailQuery(s: ReportedStream, fileIndex: number): string {
  const q = new URLSearchParams({ index: String(s.index), id: String(fileIndex), codec: s.codec_name, type: s.codec_type });
  if (s.bit_rate) q.set('bitrate', String(Math.round(Number(s.bit_rate) / 1000)));
  if (s.profile) q.set('profile', s.profile);
  if (s.tags?.language) q.set('language', s.tags.language);
  if (s.codec_type === 'video') {
    q.set('width', String(s.width ?? 0));
    q.set('height', String(s.height ?? 0));
    const interlaced = s.field_order !== undefined && !['progressive', 'unknown'].includes(s.field_order);
    q.set('interlaced', interlaced ? '1' : '0');
    if (s.sample_aspect_ratio && s.sample_aspect_ratio !== '0:1') q.set('sar', s.sample_aspect_ratio);
    if (s.level !== undefined && s.level > 0) q.set('level', String(s.level));
    const fps = rate(s.avg_frame_rate) ?? rate(s.r_frame_rate);
    if (fps) q.set('frameRate', fps.toFixed(3));
    if (s.closed_captions) q.set('closedCaptions', '1');
  } else if (s.codec_type === 'audio') {
    q.set('channels', String(s.channels ?? 0));
    if (s.channel_layout) q.set('layout', s.channel_layout);
    if (s.sample_rate) q.set('sampleRate', s.sample_rate);
    if (s.bits_per_raw_sample && s.bits_per_raw_sample !== '0') q.set('bitDepth', s.bits_per_raw_sample);
  }
  for (const [name, on] of Object.entries(s.disposition ?? {})) if (on === 1) q.set(`disp_${name}`, '1');
  return q.toString();
}
