/** What re-encoding a file would likely save: a rule of thumb from its codec, bitrate and resolution. */
import { extname } from 'node:path';
import type { LibraryCodec } from '../core/session-log/library-store.ts';
import type { MediaReport } from './ffprobe.ts';

/** The codec `library scan` estimates for, and `library encode` uses by default. */
export const DEFAULT_CODEC: LibraryCodec = 'hevc';

// Bits per pixel per frame a good encode of this codec needs for 8-bit film content at the
// default quality: a ceiling for the new video bitrate (1080p24: hevc ~3.0, av1 ~2.1 Mb/s).
const TARGET_BPP: Record<LibraryCodec, number> = { hevc: 0.06, av1: 0.042 };
// Size of a re-encode relative to the source codec at the same quality, when that is below the ceiling.
const RATIO: Record<LibraryCodec, Record<string, number>> = {
  hevc: { h264: 0.6, mpeg4: 0.45, mpeg2video: 0.35, vc1: 0.5, msmpeg4v3: 0.45, vp8: 0.6, wmv3: 0.5 },
  av1: { h264: 0.5, hevc: 0.8, vp9: 0.85, mpeg4: 0.4, mpeg2video: 0.3, vc1: 0.45, msmpeg4v3: 0.4, vp8: 0.5, wmv3: 0.45 },
};

/** The containers an encode keeps with the same name and extension (the worker's list, worker/library/request.ts). */
export const KEPT_CONTAINERS: ReadonlySet<string> = new Set(['.mkv', '.mp4', '.m4v', '.mov']);

/** Why `path` (probed as `report`) is not worth encoding to `codec` at all, or null when it is a candidate. */
export function skipReason(path: string, report: MediaReport, codec: LibraryCodec): string | null {
  const ext = extname(path).toLowerCase();
  if (!KEPT_CONTAINERS.has(ext)) return `a ${ext} file: only .mkv, .mp4, .m4v and .mov are re-encoded (the name and extension stay; remux it to .mkv first)`;
  if (report.video === null) return 'no video stream';
  if (report.video.codec === codec) return `already ${codec.toUpperCase()}`;
  if (codec === 'hevc' && report.video.codec === 'av1') return 'already AV1';
  if (report.durationS === null || report.durationS <= 0) return 'no duration';
  return null;
}

/** Bytes an encode of the file (`size` bytes) to `codec` would likely save; 0 when it would not. */
export function estimateSaving(path: string, report: MediaReport, size: number, codec: LibraryCodec): number {
  if (skipReason(path, report, codec) !== null || report.video === null || report.durationS === null) return 0;
  const audio = report.streams
    .filter((s) => s.type === 'audio')
    .reduce((sum, s) => sum + 64_000 * Math.max(1, s.channels ?? 2), 0);
  const audioBits = report.audioBitrate > 0 ? report.audioBitrate : audio;
  const total = report.bitrate ?? (size * 8) / report.durationS;
  const videoBitrate = report.video.bitrate ?? Math.max(0, total - audioBits);
  const pixels = (report.video.width ?? 1920) * (report.video.height ?? 1080) * (report.video.fps ?? 24);
  const ratio = RATIO[codec][report.video.codec] ?? 0.7;
  const target = Math.min(videoBitrate * ratio, pixels * TARGET_BPP[codec]);
  const saved = ((videoBitrate - target) * report.durationS) / 8;
  return Math.max(0, Math.min(size, Math.round(saved)));
}
