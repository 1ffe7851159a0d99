/** Follows filter-graph links back from a label to the input stream that feeds it. */
import type { GraphFilter } from './filter-graph.ts';
import { parseStreamRef } from './stream-spec.ts';
import type { StreamRef } from './types.ts';

/** The filters on a path (upstream first) and the input stream at its head. */
export interface Trace {
  readonly filters: readonly GraphFilter[];
  readonly source: StreamRef | null;
}

const MAX_STEPS = 256;

function producerOf(graph: readonly GraphFilter[], label: string): GraphFilter | undefined {
  return graph.find((f) => f.outputs.includes(label));
}

/** Walks main pads upstream from `start`: the previous filter of its chain, else its first input label. */
function walkUp(graph: readonly GraphFilter[], start: GraphFilter): Trace {
  const filters: GraphFilter[] = [];
  let current: GraphFilter | undefined = start;
  let source: StreamRef | null = null;
  for (let steps = 0; current !== undefined && steps < MAX_STEPS; steps++) {
    filters.unshift(current);
    const here: GraphFilter = current;
    if (here.position > 0) {
      current = graph.find((f) => f.chain === here.chain && f.position === here.position - 1);
      continue;
    }
    const label = here.inputs[0];
    if (label === undefined) break;
    current = producerOf(graph, label);
    if (current === undefined) source = parseStreamRef(label);
  }
  return { filters, source };
}

/** Traces a label inside one graph: a link to a filter output, else an input stream reference. */
export function tracePad(graph: readonly GraphFilter[], label: string): Trace {
  const producer = producerOf(graph, label);
  return producer ? walkUp(graph, producer) : { filters: [], source: parseStreamRef(label) };
}

/** Traces a `-map [label]` across every `-filter_complex` graph. */
export function traceLabel(graphs: readonly (readonly GraphFilter[])[], label: string): Trace {
  for (const graph of graphs) {
    const producer = producerOf(graph, label);
    if (producer) return walkUp(graph, producer);
  }
  return { filters: [], source: null };
}

/** The input streams feeding each input pad of `filter` (for overlays: main, then overlaid). */
export function padSources(graph: readonly GraphFilter[], filter: GraphFilter): (StreamRef | null)[] {
  const sources: (StreamRef | null)[] = [];
  if (filter.position > 0) {
    const previous = graph.find((f) => f.chain === filter.chain && f.position === filter.position - 1);
    sources.push(previous ? walkUp(graph, previous).source : null);
  }
  for (const label of filter.inputs) sources.push(tracePad(graph, label).source);
  return sources;
}
