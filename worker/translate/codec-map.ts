// Which encoder the worker uses for a requested video encoder, given its backend and probe.
import { backendProfile } from './hw-backends.ts';
import type { TranslateContext } from './types.ts';

/** Encoder families the translation moves between backends. */
export type VideoFamily = 'h264' | 'hevc' | 'av1';

/** How an encoder is driven: decides which private options it accepts. */
export type EncoderKind = 'x264' | 'x265' | 'svtav1' | 'nvenc' | 'vaapi' | 'qsv' | 'other';

const SOFTWARE: Record<VideoFamily, string> = { h264: 'libx264', hevc: 'libx265', av1: 'libsvtav1' };
const SOFTWARE_FAMILY: Record<string, VideoFamily> = {
  libx264: 'h264', libx265: 'hevc', libsvtav1: 'av1', 'libaom-av1': 'av1', librav1e: 'av1',
};
const HW_ENCODER = /^(h264|hevc|av1)_(nvenc|vaapi|qsv|videotoolbox|mf|mediacodec|mediacodecndk|amf|v4l2m2m|omx)$/;

/** The family of a video encoder name, or null for anything the translation leaves alone. */
export function videoFamily(encoder: string): VideoFamily | null {
  const sw = SOFTWARE_FAMILY[encoder];
  if (sw) return sw;
  const m = HW_ENCODER.exec(encoder);
  return m ? (m[1] as VideoFamily) : null;
}

/** The kind of an encoder name. */
export function encoderKind(encoder: string): EncoderKind {
  if (encoder === 'libx264' || encoder === 'libx264rgb') return 'x264';
  if (encoder === 'libx265') return 'x265';
  if (encoder === 'libsvtav1') return 'svtav1';
  const suffix = /_(nvenc|vaapi|qsv)$/.exec(encoder)?.[1];
  return suffix === 'nvenc' || suffix === 'vaapi' || suffix === 'qsv' ? suffix : 'other';
}

/** True when this encoder only takes frames on its device. */
export function encoderNeedsDevice(encoder: string): boolean {
  const kind = encoderKind(encoder);
  return kind === 'vaapi' || kind === 'qsv';
}

const available = (ctx: TranslateContext, name: string): boolean =>
  ctx.encoders.length === 0 || ctx.encoders.includes(name);

/** The encoder to use instead of `requested`, with a warning when the backend's one is missing. */
export function chooseEncoder(requested: string, ctx: TranslateContext): { encoder: string; warning?: string } {
  const family = videoFamily(requested);
  if (family === null) return { encoder: requested };
  const suffix = backendProfile(ctx.backend).encoderSuffix;
  if (suffix !== null) {
    const hw = `${family}_${suffix}`;
    if (available(ctx, hw)) return { encoder: hw };
    const sw = SOFTWARE[family];
    if (available(ctx, sw)) return { encoder: sw, warning: `${hw} not available on this worker; using ${sw}` };
    return { encoder: requested, warning: `neither ${hw} nor ${sw} available; keeping ${requested}` };
  }
  const sw = SOFTWARE[family];
  if (available(ctx, sw)) return { encoder: sw };
  return { encoder: requested, warning: `${sw} not available on this worker; keeping ${requested}` };
}
