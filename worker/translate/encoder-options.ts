// Carries an encoder's rate-control and speed intent over to a different encoder.
import type { Opt } from './argv-model.ts';
import { encoderKind, videoFamily, type EncoderKind } from './codec-map.ts';
import type { Dropped } from './types.ts';

const QUALITY = new Set(['crf', 'qp', 'cq', 'global_quality']);
const X264_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow', 'placebo'];
const NVENC_PRESET: Record<string, string> = {
  ultrafast: 'p1', superfast: 'p1', veryfast: 'p2', faster: 'p3', fast: 'p4', medium: 'p5', slow: 'p6', slower: 'p7', veryslow: 'p7', placebo: 'p7',
};
const SVT_PRESET: Record<string, string> = {
  ultrafast: '12', superfast: '11', veryfast: '10', faster: '9', fast: '8', medium: '6', slow: '4', slower: '2', veryslow: '1', placebo: '0',
};
/** Encoder-private options and the encoder kinds that accept them. */
const PRIVATE: Record<string, readonly EncoderKind[]> = {
  x264opts: ['x264'], 'x264-params': ['x264'], 'x265-params': ['x265'], 'svtav1-params': ['svtav1'],
  'forced-idr': ['x264', 'nvenc'], sei: ['vaapi'], rc: ['nvenc'], rc_mode: ['vaapi'], tune: ['x264', 'x265', 'nvenc'],
  a53cc: ['nvenc'], 'spatial-aq': ['nvenc'], 'temporal-aq': ['nvenc'], zerolatency: ['nvenc'], look_ahead: ['qsv'],
  low_power: ['vaapi', 'qsv'], async_depth: ['vaapi', 'qsv'], idr_interval: ['vaapi'], quality: ['vaapi'],
};

/** Rewrites `options` (one output's) for the stream `spec` moving from encoder `from` to `to`. */
export function translateEncoderOptions(options: Opt[], spec: string | null, from: string, to: string, dropped: Dropped[]): void {
  const source = encoderKind(from);
  const target = encoderKind(to);
  if (source === target) return;
  const mine = (o: Opt): boolean => o.spec === spec || o.spec === null;
  const kept: Opt[] = [];
  let quality: string | undefined;
  let preset: string | undefined;
  for (const o of options) {
    const accepts = PRIVATE[o.name];
    if (!mine(o)) kept.push(o);
    else if (QUALITY.has(o.name)) quality = o.value ?? undefined;
    else if (o.name === 'preset') preset = o.value ?? undefined;
    else if (accepts && !accepts.includes(target)) dropped.push({ option: `-${o.name}`, value: o.value, reason: `private to ${accepts.join('/')} encoders, not ${to}` });
    else kept.push(o);
  }
  const add = (name: string, value: string): void => { kept.push({ name, spec, value }); };
  if (quality !== undefined) {
    if (target === 'nvenc') { add('rc', 'vbr'); add('cq', quality); }
    else if (target === 'vaapi') add('qp', quality);
    else if (target === 'qsv') add('global_quality', quality);
    else add('crf', quality); // CRF, not CQP, so the maxrate/bufsize cap of the argv still holds
  }
  const speed = preset ?? defaultPreset(to, source);
  if (speed !== undefined) {
    const mapped = mapPreset(speed, target);
    if (mapped !== null) add('preset', mapped);
    else if (preset !== undefined) dropped.push({ option: '-preset', value: preset, reason: `${to} has no preset option` });
  }
  options.splice(0, options.length, ...kept);
}

/**
 * A preset for software encoders replacing a hardware one: hardware encoders run well ahead of
 * playback, so the software one gets Plex's own libx264 choice (veryfast) for H.264 and the
 * fastest setting for HEVC/AV1, whose software encoders are several times slower.
 */
function defaultPreset(to: string, source: EncoderKind): string | undefined {
  const swTarget = ['x264', 'x265', 'svtav1'].includes(encoderKind(to));
  if (!swTarget || !['nvenc', 'vaapi', 'qsv', 'other'].includes(source)) return undefined;
  return videoFamily(to) === 'h264' ? 'veryfast' : 'ultrafast';
}

/** The preset name `target` understands for an x264-style (or NVENC `pN`) preset. */
function mapPreset(preset: string, target: EncoderKind): string | null {
  const name = /^p[1-7]$/.test(preset) ? X264_PRESETS[Number(preset.slice(1)) + 1] ?? 'medium' : preset;
  switch (target) {
    case 'x264': case 'x265': return X264_PRESETS.includes(name) ? name : 'veryfast';
    case 'nvenc': return /^p[1-7]$/.test(preset) ? preset : NVENC_PRESET[name] ?? 'p4';
    case 'qsv': return ['ultrafast', 'superfast'].includes(name) ? 'veryfast' : X264_PRESETS.slice(2, 9).includes(name) ? name : 'medium';
    case 'svtav1': return SVT_PRESET[name] ?? '10';
    default: return null;
  }
}
