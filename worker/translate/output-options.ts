// Per-output options: Plex-only options, the framedrop BSF and the video encoder choice.
import { type FileArgs, type Opt } from './argv-model.ts';
import { chooseEncoder, videoFamily } from './codec-map.ts';
import { translateEncoderOptions } from './encoder-options.ts';
import type { Dropped, TranslateContext } from './types.ts';

const CODEC_OPTS = new Set(['c', 'codec', 'vcodec']);

/** Spec a codec option applies to (`-vcodec` means `v`). */
const codecSpec = (o: Opt): string | null => (o.name === 'vcodec' ? 'v' : o.spec);

/**
 * Plex's `framedrop=count=N` drops the first N packets. Stock's `noise` BSF can do the same
 * with its drop expression (`n` is the packet index), so the A/V alignment PMS asked for stays.
 */
export function translateBsf(value: string): string {
  return value.split(',').map((part) => {
    const m = /^framedrop(?:=count=(\d+)|=(\d+))?$/.exec(part.trim());
    if (!m) return part;
    return `noise=drop=lt(n\\,${m[1] ?? m[2] ?? '1'})`;
  }).join(',');
}

/** Translates one output's options in place (not muxer options: see muxer-*.ts). */
export function translateOutputOptions(out: FileArgs, ctx: TranslateContext, dropped: Dropped[], warnings: string[]): void {
  const kept: Opt[] = [];
  for (const o of out.options) {
    if (o.name === 'strict_ts') dropped.push({ option: `-strict_ts${o.spec === null ? '' : `:${o.spec}`}`, value: o.value, reason: "Plex-only; 0 is stock's behaviour" });
    else if ((o.name === 'bsf' || o.name === 'absf') && o.value !== null && /framedrop/.test(o.value)) {
      kept.push({ ...o, value: translateBsf(o.value) });
      dropped.push({ option: `-${o.name}${o.spec === null ? '' : `:${o.spec}`}`, value: o.value, reason: 'Plex-only framedrop BSF; emulated with noise=drop' });
    } else kept.push(o);
  }
  out.options = kept;
  for (const o of out.options.filter((c) => CODEC_OPTS.has(c.name) && c.value !== null && videoFamily(c.value) !== null)) {
    const from = o.value ?? '';
    const choice = chooseEncoder(from, ctx);
    if (choice.warning) warnings.push(choice.warning);
    if (choice.encoder === from) continue;
    o.value = choice.encoder;
    translateEncoderOptions(out.options, codecSpec(o), from, choice.encoder, dropped);
  }
}

/** The encoder of the `mapIndex`-th mapped stream of an output, as far as the argv says. */
export function encoderOfMapped(out: FileArgs, mapIndex: number): string | undefined {
  const codecs = out.options.filter((o) => (CODEC_OPTS.has(o.name) || o.name === 'acodec' || o.name === 'scodec') && o.value !== null);
  const exact = codecs.filter((o) => o.spec === String(mapIndex)).pop();
  if (exact) return exact.value ?? undefined;
  return (codecs.filter((o) => codecSpec(o) === 'v').pop() ?? codecs.filter((o) => o.spec === null).pop())?.value ?? undefined;
}
