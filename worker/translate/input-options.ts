// Per-input options: Plex decoder names, EAE options and hwaccel set-up for the chosen backend.
import type { FileArgs, Opt } from './argv-model.ts';
import { backendProfile } from './hw-backends.ts';
import { matchStreams } from './stream-spec.ts';
import type { Dropped, ProbedInput, TranslateContext } from './types.ts';

const CODEC_OPTS = new Set(['c', 'codec', 'vcodec', 'acodec', 'scodec']);
const HWACCEL_OPTS = new Set(['hwaccel', 'hwaccel_output_format', 'hwaccel_device']);
const QSV_DECODERS = new Set(['h264', 'hevc', 'av1', 'vp9', 'mpeg2video', 'vc1', 'mjpeg']);

/** The codec a decoder name decodes (`eac3_eae` → eac3, `libdav1d` → av1, `dca` → dts). */
export function decodedCodec(decoder: string): string {
  const base = decoder.replace(/_(eae|cuvid|qsv|mediacodec|mediacodecndk|mf|v4l2m2m)$/, '');
  return ({ libdav1d: 'av1', 'libaom-av1': 'av1', aac_lc: 'aac', dca: 'dts', mpeg2: 'mpeg2video' } as Record<string, string>)[base] ?? base;
}

/** Which streams of one input decode to device frames after translation. */
export interface InputDecode {
  /** Stream specs (as written with `-hwaccel`) decoded onto the device; null key = all video. */
  hwSpecs: Set<string | null>;
  /** Whether any stream of this input uses a hwaccel at all. */
  accel: boolean;
}

/** Translates one input's options in place. */
export function translateInput(input: FileArgs, probe: ProbedInput | undefined, ctx: TranslateContext, dropped: Dropped[]): InputDecode {
  const profile = backendProfile(ctx.backend);
  const hw = input.options.filter((o) => HWACCEL_OPTS.has(o.name));
  const hwSpecs = new Set<string | null>();
  const accelSpecs = new Set<string | null>();
  const out: Opt[] = [];
  for (const o of input.options) {
    if (o.name === 'eae_prefix' || o.name === 'eae_root' || o.name === 'hwaccel_fallback_threshold') {
      dropped.push({ option: `-${o.name}`, value: o.value, reason: 'Plex-private (EasyAudioEncoder / decode fallback); stock decoders need none' });
    } else if (!HWACCEL_OPTS.has(o.name)) out.push(o);
  }
  for (const o of hw.filter((h) => h.name === 'hwaccel' && h.value !== 'none')) {
    if (profile.hwaccel === null) {
      dropped.push({ option: `-hwaccel${o.spec === null ? '' : `:${o.spec}`}`, value: o.value, reason: 'software backend decodes on the CPU' });
      continue;
    }
    const onDevice = hw.some((h) => h.name === 'hwaccel_output_format' && h.spec === o.spec && h.value !== null && h.value !== 'none');
    out.push({ name: 'hwaccel', spec: o.spec, value: profile.hwaccel });
    accelSpecs.add(o.spec);
    if (onDevice && profile.hwFormat) { out.push({ name: 'hwaccel_output_format', spec: o.spec, value: profile.hwFormat }); hwSpecs.add(o.spec); }
    if (profile.deviceName) out.push({ name: 'hwaccel_device', spec: o.spec, value: profile.deviceName });
  }
  input.options = out.flatMap((o) => translateDecoderHint(o, probe, ctx, accelSpecs, dropped));
  return { hwSpecs, accel: accelSpecs.size > 0 };
}

/** Maps a `-codec` decoder hint to what stock decodes the stream with. */
function translateDecoderHint(o: Opt, probe: ProbedInput | undefined, ctx: TranslateContext, accelSpecs: Set<string | null>, dropped: Dropped[]): Opt[] {
  if (!CODEC_OPTS.has(o.name) || o.value === null || o.value === 'copy') return [o];
  const codec = decodedCodec(o.value);
  const spec = o.name === 'vcodec' ? 'v' : o.name === 'acodec' ? 'a' : o.name === 'scodec' ? 's' : o.spec;
  const probed = matchStreams(probe, spec);
  if (probed.length > 0 && !probed.some((s) => s.codec_name === codec)) {
    dropped.push({ option: `-${o.name}${o.spec === null ? '' : `:${o.spec}`}`, value: o.value, reason: `stream is ${probed[0]?.codec_name}, not ${codec}: stock picks its own decoder` });
    return [];
  }
  const hwDecode = accelSpecs.has(o.spec) || accelSpecs.has(null);
  let decoder = codec;
  if (ctx.backend === 'qsv' && hwDecode && QSV_DECODERS.has(codec)) decoder = `${codec === 'mpeg2video' ? 'mpeg2' : codec}_qsv`;
  // ffmpeg 5.1's native av1 decoder only decodes through a hwaccel; software uses libdav1d.
  else if (codec === 'av1' && !hwDecode) decoder = 'libdav1d';
  if (decoder !== o.value) {
    dropped.push({ option: `-${o.name}${o.spec === null ? '' : `:${o.spec}`}`, value: o.value, reason: `decoder ${decoder} instead (${/_eae$/.test(o.value) ? "EasyAudioEncoder is Plex's; ffmpeg's native decoder" : 'stock decoder for this backend'})` });
  }
  return [{ ...o, value: decoder }];
}
