/**
 * Finds a burned-in subtitle: Plex's `inlineass` (fed by `-map_inlineass F:spec`), stock
 * `subtitles=`/`ass=` filters (a file path), or an `overlay*` whose overlaid pad traces back to a
 * subtitle stream (image subtitles such as PGS/VobSub). Priority in that order.
 */
import type { SubtitleBurnIn } from './fact-types.ts';
import { filterArg, type GraphFilter } from './filter-graph.ts';
import { padSources } from './filter-trace.ts';
import { isSubtitlePath, lastValue } from './inputs.ts';
import { parseStreamRef, refKind } from './stream-spec.ts';
import type { ArgvOption, PlexInput } from './types.ts';

const OVERLAYS: ReadonlySet<string> = new Set([
  'overlay', 'overlay_vaapi', 'overlay_cuda', 'overlay_qsv', 'overlay_opencl', 'overlay_vulkan', 'overlay_videotoolbox',
]);

function fromInlineAss(filter: GraphFilter, globals: readonly ArgvOption[], inputs: readonly PlexInput[]): SubtitleBurnIn {
  const stream = lastValue(globals, 'map_inlineass');
  const ref = stream === null ? null : parseStreamRef(stream);
  const input = ref === null ? undefined : inputs[ref.input];
  const sidecar = input?.isSidecarSubtitle ?? false;
  return { kind: 'inlineass', filter: filter.name, stream, input: ref?.input ?? null, path: sidecar ? (input?.path ?? null) : null, sidecar };
}

function fromSubtitlesFilter(filter: GraphFilter, inputs: readonly PlexInput[]): SubtitleBurnIn {
  const path = filterArg(filter, ['filename', 'f'], 0);
  const index = path === null ? -1 : inputs.findIndex((input) => input.path === path);
  const si = filterArg(filter, ['si', 'stream_index']);
  const sidecar = path !== null && (isSubtitlePath(path) || inputs[index]?.isSidecarSubtitle === true);
  return {
    kind: filter.name === 'ass' ? 'ass' : 'subtitles',
    filter: filter.name,
    stream: index >= 0 ? `${index}:s:${si ?? 0}` : null,
    input: index >= 0 ? index : null,
    path,
    sidecar,
  };
}

function fromOverlay(graph: readonly GraphFilter[], filter: GraphFilter, inputs: readonly PlexInput[]): SubtitleBurnIn | null {
  const overlaid = padSources(graph, filter).slice(1);
  for (const ref of overlaid) {
    if (ref === null || refKind(ref, inputs) !== 'subtitle') continue;
    const input = inputs[ref.input];
    const sidecar = input?.isSidecarSubtitle ?? false;
    return {
      kind: 'overlay',
      filter: filter.name,
      stream: ref.spec === '' ? String(ref.input) : `${ref.input}:${ref.spec}`,
      input: ref.input,
      path: sidecar ? (input?.path ?? null) : null,
      sidecar,
    };
  }
  return null;
}

/** The burned-in subtitle of an invocation, or null. */
export function findBurnIn(
  graphs: readonly (readonly GraphFilter[])[],
  globals: readonly ArgvOption[],
  inputs: readonly PlexInput[],
): SubtitleBurnIn | null {
  let textual: SubtitleBurnIn | null = null;
  let overlay: SubtitleBurnIn | null = null;
  for (const graph of graphs) {
    for (const filter of graph) {
      if (filter.name === 'inlineass') return fromInlineAss(filter, globals, inputs);
      if (textual === null && (filter.name === 'subtitles' || filter.name === 'ass')) {
        textual = fromSubtitlesFilter(filter, inputs);
      }
      if (overlay === null && OVERLAYS.has(filter.name)) overlay = fromOverlay(graph, filter, inputs);
    }
  }
  return textual ?? overlay;
}
