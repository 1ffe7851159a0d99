/** The video and audio facts of an output stream: size, rates, quality, channels. */
import type { AudioFacts, VideoFacts } from './fact-types.ts';
import { filterArg, type GraphFilter } from './filter-graph.ts';
import { streamOption } from './output-streams.ts';
import type { SpecTarget } from './stream-spec.ts';
import type { OutputStream, PlexOutput } from './types.ts';
import { layoutChannels, parseNumber, parseRate, parseSiNumber, parseSize, unquote } from './values.ts';

const SCALE_FILTERS: ReadonlySet<string> = new Set([
  'scale', 'scale_vaapi', 'scale_cuda', 'scale_npp', 'scale_qsv', 'scale_vulkan', 'scale_opencl', 'scale_vt',
  'scale_d3d11', 'scale_amf', 'scale_rkrga', 'zscale', 'vpp_qsv', 'vpp_amf', 'libplacebo',
]);
/** Scalers whose first two positional arguments are width and height (`scale=1280:720`). */
const POSITIONAL_SIZE: ReadonlySet<string> = new Set([
  'scale', 'scale_vaapi', 'scale_cuda', 'scale_npp', 'scale_qsv', 'scale_vulkan', 'scale_vt', 'zscale',
]);

function pixels(value: string | null): number | null {
  return value !== null && /^\d+$/.test(value) && Number(value) > 0 ? Number(value) : null;
}

/** Width and height set by the last scaler on the path that sets either. */
export function sizeFromFilters(filters: readonly GraphFilter[]): { width: number | null; height: number | null } {
  for (let i = filters.length - 1; i >= 0; i--) {
    const filter = filters[i] as GraphFilter;
    if (!SCALE_FILTERS.has(filter.name)) continue;
    const positional = POSITIONAL_SIZE.has(filter.name);
    const w = filterArg(filter, ['w', 'width'], positional ? 0 : undefined);
    const h = filterArg(filter, ['h', 'height'], positional ? 1 : undefined);
    const size = parseSize(filterArg(filter, ['s', 'size'])) ?? parseSize(w);
    if (size) return size;
    if (w !== null || h !== null) return { width: pixels(w), height: pixels(h) };
  }
  return { width: null, height: null };
}

/** Where a stream sits among its output's streams, for specifier matching. */
export function specTargetOf(output: PlexOutput, stream: OutputStream): SpecTarget {
  const typeIndex = output.streams.filter((s) => s.kind === stream.kind && s.index < stream.index).length;
  return { index: stream.index, kind: stream.kind, typeIndex };
}

/** Video facts of `stream` in `output`. */
export function videoFacts(output: PlexOutput, stream: OutputStream, filters: readonly GraphFilter[]): VideoFacts {
  const target = specTargetOf(output, stream);
  const value = (base: string) => streamOption(output.options, base, target)?.value ?? null;
  const size = parseSize(value('s')) ?? sizeFromFilters(filters);
  return {
    codec: stream.codec,
    sourceCodec: stream.sourceCodec,
    width: size.width,
    height: size.height,
    bitrate: parseSiNumber(value('b')),
    maxrate: parseSiNumber(value('maxrate')),
    bufsize: parseSiNumber(value('bufsize')),
    crf: parseNumber(value('crf')),
    qp: parseNumber(value('qp')),
    frameRate: parseRate(value('r')),
    preset: value('preset'),
  };
}

/** Channel layout and sample rate set by the last audio-format filter on the path. */
function audioFromFilters(filters: readonly GraphFilter[]): { layout: string | null; rate: number | null } {
  let layout: string | null = null;
  let rate: number | null = null;
  for (let i = filters.length - 1; i >= 0 && (layout === null || rate === null); i--) {
    const f = filters[i] as GraphFilter;
    if (f.name === 'aresample') {
      layout ??= filterArg(f, ['ochl', 'ocl', 'out_chlayout', 'out_channel_layout', 'out_ch_layout']);
      rate ??= parseSiNumber(filterArg(f, ['osr', 'out_sample_rate'], 0));
    } else if (f.name === 'aformat') {
      layout ??= filterArg(f, ['channel_layouts', 'cl'])?.split('|')[0] ?? null;
      rate ??= parseSiNumber(filterArg(f, ['sample_rates', 'r'])?.split('|')[0]);
    } else if (f.name === 'pan') {
      layout ??= filterArg(f, ['args'], 0)?.split('|')[0] ?? null;
    }
  }
  return { layout: layout === null ? null : unquote(layout), rate };
}

/** Audio facts of `stream` in `output`. */
export function audioFacts(output: PlexOutput, stream: OutputStream, filters: readonly GraphFilter[]): AudioFacts {
  const target = specTargetOf(output, stream);
  const value = (base: string) => streamOption(output.options, base, target)?.value ?? null;
  const fromFilters = audioFromFilters(filters);
  const layout = value('ch_layout') ?? fromFilters.layout;
  const ac = parseNumber(value('ac'));
  return {
    codec: stream.codec,
    sourceCodec: stream.sourceCodec,
    channels: ac ?? layoutChannels(layout),
    channelLayout: layout,
    bitrate: parseSiNumber(value('b')),
    sampleRate: parseSiNumber(value('ar')) ?? fromFilters.rate,
  };
}
