/**
 * Works out the streams of one output: one per `-map` (kind from the filters on its path, its
 * input stream, or its encoder), or ffmpeg's default selection when there is no `-map`.
 */
import { codecKind } from './codecs.ts';
import type { GraphFilter, GraphParser } from './filter-graph.ts';
import { traceLabel } from './filter-trace.ts';
import { decoderFor, matchesStream, parseStreamRef, refKind, type SpecTarget } from './stream-spec.ts';
import type { ArgvOption, OutputStream, PlexInput, StreamKind, StreamRef } from './types.ts';

const AUDIO_FILTERS: ReadonlySet<string> = new Set([
  'aresample', 'aformat', 'anull', 'volume', 'pan', 'amix', 'amerge', 'atempo', 'loudnorm', 'dynaudnorm',
  'acompressor', 'alimiter', 'asetpts', 'atrim', 'apad', 'afifo', 'asplit', 'channelmap', 'channelsplit',
  'join', 'adelay', 'afade', 'highpass', 'lowpass', 'bandpass', 'equalizer', 'bass', 'treble', 'aeval',
  'silencedetect', 'silenceremove', 'ashowinfo', 'astats', 'volumedetect', 'replaygain', 'acopy',
  'aselect', 'asettb', 'asetnsamples', 'compand', 'earwax', 'extrastereo', 'surround', 'stereotools',
  'rubberband', 'afftdn', 'adeclick', 'aloop', 'arealtime', 'asetrate', 'ebur128', 'dcshift',
]);

const VIDEO_HINTS: ReadonlySet<string> = new Set([
  'crf', 'qp', 'cq', 'r', 's', 'pix_fmt', 'aspect', 'force_key_frames', 'x264opts', 'x264-params',
  'x265-params', 'forced-idr', 'sei', 'fps_mode', 'g', 'bf', 'maxrate',
]);
const AUDIO_HINTS: ReadonlySet<string> = new Set(['ac', 'ar', 'ch_layout', 'sample_fmt']);
const SUBTITLE_HINTS: ReadonlySet<string> = new Set(['strict_ts']);
const AUDIO_FORMATS: ReadonlySet<string> = new Set([
  'flac', 'mp3', 'wav', 'ogg', 'oga', 'opus', 'adts', 'ac3', 'eac3', 'ipod', 'aiff', 'w64', 'caf', 'truehd',
  'dts', 'mp2', 'wv', 'tta', 'spdif',
]);
const IMAGE_FORMATS: ReadonlySet<string> = new Set(['image2', 'image2pipe', 'mjpeg', 'apng', 'gif', 'webp', 'singlejpeg']);
const SUBTITLE_FORMATS: ReadonlySet<string> = new Set(['srt', 'ass', 'ssa', 'webvtt', 'sup', 'microdvd', 'ttml']);

/** True for muxers that carry images only. */
export function isImageFormat(format: string | null): boolean {
  return format !== null && IMAGE_FORMATS.has(format);
}

interface Draft {
  readonly map: string | null;
  kind: StreamKind;
  readonly source: StreamRef | null;
  readonly filters: GraphFilter[];
}

function draftFromMap(map: string, inputs: readonly PlexInput[], graphs: readonly (readonly GraphFilter[])[]): Draft {
  const value = map.endsWith('?') ? map.slice(0, -1) : map;
  if (!value.startsWith('[')) {
    const source = parseStreamRef(value);
    return { map, kind: refKind(source, inputs), source, filters: [] };
  }
  const close = value.indexOf(']');
  const trace = traceLabel(graphs, value.slice(1, close === -1 ? undefined : close));
  let kind = refKind(trace.source, inputs);
  if (trace.filters.some((f) => AUDIO_FILTERS.has(f.name))) kind = 'audio';
  else if (kind === 'unknown' && trace.filters.length > 0) kind = 'video';
  return { map, kind, source: trace.source, filters: [...trace.filters] };
}

/** Streams ffmpeg's default selection would create, judged from options, format and decoders. */
function defaultDrafts(options: readonly ArgvOption[], format: string | null, inputs: readonly PlexInput[]): Draft[] {
  const main = Math.max(0, inputs.findIndex((input) => !input.isSidecarSubtitle));
  const typed = (letter: string) => options.some((o) => o.spec !== null && (o.spec === letter || o.spec.startsWith(`${letter}:`)));
  const flag = (base: string) => options.some((o) => o.base === base);
  const videoHint = typed('v') || options.some((o) => VIDEO_HINTS.has(o.base));
  const audioHint = typed('a') || options.some((o) => AUDIO_HINTS.has(o.base));
  const decoded = new Set(inputs.filter((i) => !i.isSidecarSubtitle).flatMap((i) => i.decoders.map((d) => codecKind(d.codec))));
  const known = decoded.has('video') || decoded.has('audio');
  const fmt = format ?? '';
  const drafts: Draft[] = [];
  const add = (kind: StreamKind, letter: string, input = main) =>
    drafts.push({ map: null, kind, source: { input, spec: letter }, filters: [] });
  if (!flag('vn') && !AUDIO_FORMATS.has(fmt) && !SUBTITLE_FORMATS.has(fmt)) {
    if (videoHint || IMAGE_FORMATS.has(fmt) || decoded.has('video') || (!known && !audioHint)) add('video', 'v');
  }
  if (!flag('an') && !IMAGE_FORMATS.has(fmt) && !SUBTITLE_FORMATS.has(fmt)) {
    if (audioHint || decoded.has('audio') || !known) add('audio', 'a');
  }
  if (!flag('sn') && (typed('s') || SUBTITLE_FORMATS.has(fmt))) {
    const sidecar = inputs.findIndex((input) => input.isSidecarSubtitle);
    add('subtitle', 's', sidecar === -1 ? main : sidecar);
  }
  return drafts;
}

/** Kind of a still-unknown stream from an encoder or hint option addressed to its index. */
function kindFromOptions(options: readonly ArgvOption[], index: number): StreamKind {
  for (let i = options.length - 1; i >= 0; i--) {
    const o = options[i] as ArgvOption;
    const mine = o.spec !== null && /^\d+$/.test(o.spec) && Number(o.spec) === index;
    if (o.base === 'codec' && (mine || o.spec === null)) {
      const kind = codecKind(o.value);
      if (kind !== 'unknown') return kind;
    }
    if (!mine) continue;
    if (VIDEO_HINTS.has(o.base)) return 'video';
    if (AUDIO_HINTS.has(o.base)) return 'audio';
    if (SUBTITLE_HINTS.has(o.base)) return 'subtitle';
  }
  return 'unknown';
}

/** The last option with `base` whose specifier selects `target` (ffmpeg: the last match wins). */
export function streamOption(options: readonly ArgvOption[], base: string, target: SpecTarget): ArgvOption | undefined {
  return options.findLast((o) => o.base === base && o.value !== null && matchesStream(o.spec, target));
}

/** Builds the streams of one output; `paths` receives each stream's filters (graph, then -vf/-af). */
export function buildStreams(
  options: readonly ArgvOption[],
  format: string | null,
  inputs: readonly PlexInput[],
  graphs: readonly (readonly GraphFilter[])[],
  graphOf: GraphParser,
  paths: Map<OutputStream, readonly GraphFilter[]>,
): OutputStream[] {
  const maps = options.filter((o) => o.base === 'map' && o.value !== null && !o.value.startsWith('-'));
  const drafts = maps.length > 0
    ? maps.map((o) => draftFromMap(o.value as string, inputs, graphs))
    : defaultDrafts(options, format, inputs);
  const counts = new Map<StreamKind, number>();
  return drafts.map((draft, index) => {
    if (draft.kind === 'unknown') draft.kind = kindFromOptions(options, index);
    const typeIndex = counts.get(draft.kind) ?? 0;
    counts.set(draft.kind, typeIndex + 1);
    const target: SpecTarget = { index, kind: draft.kind, typeIndex };
    const simple = streamOption(options, 'filter', target);
    const filters = simple?.value ? [...draft.filters, ...graphOf(simple.value)] : draft.filters;
    const codec = streamOption(options, 'codec', target)?.value ?? null;
    const stream: OutputStream = {
      index,
      kind: draft.kind,
      map: draft.map,
      source: draft.source,
      codec,
      sourceCodec: decoderFor(draft.source, draft.kind, inputs),
      filters: filters.map((f) => f.name),
    };
    paths.set(stream, filters);
    return stream;
  });
}
