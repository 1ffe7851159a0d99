// Rewrites a whole filtergraph for the chosen backend, tracking where frames live along each chain.
import type { FilterGraph, FilterNode } from './filtergraph.ts';
import type { FrameLoc } from './hw-backends.ts';
import { rewriteFilter, toDevice, toSoftware, type FilterEnv, type FrameState } from './hw-filters.ts';
import type { BareFilter } from './tonemap.ts';

/** What the graph rewrite needs to know about its pads. */
export interface GraphEnv extends FilterEnv {
  /** Frame state of an input pad (`0:0`, or '' for a `-vf` graph's implicit input). */
  inputState(label: string): FrameState;
  /** What consumes a final output pad ('' for `-vf`): an encoder wanting device or system frames. */
  outputNeeds(label: string): FrameLoc | 'any';
}

/** Rewrites every chain; returns a new graph whose pads match the original's. */
export function rewriteFiltergraph(graph: FilterGraph, env: GraphEnv): FilterGraph {
  const consumed = new Set(graph.flatMap((chain) => chain.flatMap((f) => f.inputs)));
  const produced = new Map<string, FrameState>();
  return graph.map((chain) => {
    const first = chain[0];
    const label = first?.inputs[0] ?? '';
    const start = produced.get(label) ?? env.inputState(label);
    const st: FrameState = { ...start };
    const out: FilterNode[] = [];
    let carried: string[] = [];
    chain.forEach((node, i) => {
      const replaced = rewriteFilter(node, st, env);
      st.previous = node.name;
      // A dropped filter that only has input pads hands them to the next filter of its chain.
      if (replaced.length === 0 && node.outputs.length === 0 && i < chain.length - 1) { carried = [...carried, ...node.inputs]; return; }
      attach(out, replaced, { ...node, inputs: [...carried, ...node.inputs] });
      carried = [];
    });
    const last = out[out.length - 1];
    const finals = (last?.outputs ?? []).filter((l) => !consumed.has(l));
    const unlabeledEnd = last !== undefined && last.outputs.length === 0;
    for (const pad of unlabeledEnd ? [''] : finals) {
      const need = env.outputNeeds(pad);
      const extra = need === 'hw' ? toDevice(st, env.backend) : need === 'sw' ? toSoftware(st) : [];
      if (extra.length > 0 && last) appendAfter(out, extra);
    }
    for (const pad of last?.outputs ?? []) produced.set(pad, { ...st });
    return out;
  });
}

/** Adds `replaced` to `out`, carrying `node`'s pad labels; an empty replacement keeps its pads on `null`. */
function attach(out: FilterNode[], replaced: BareFilter[], node: FilterNode): void {
  if (replaced.length === 0) {
    if (node.inputs.length === 0 && node.outputs.length === 0) return;
    const prev = out[out.length - 1];
    // A dropped filter in the middle of a chain hands its output pads to the filter before it.
    if (node.inputs.length === 0 && prev && prev.outputs.length === 0) { prev.outputs = [...node.outputs]; return; }
    replaced = [{ name: 'null', rawArgs: null }];
  }
  replaced.forEach((f, i) => out.push({
    inputs: i === 0 ? [...node.inputs] : [],
    name: f.name,
    rawArgs: f.rawArgs,
    outputs: i === replaced.length - 1 ? [...node.outputs] : [],
  }));
}

/** Appends filters after the chain's last filter, moving its output pads to the new end. */
function appendAfter(out: FilterNode[], extra: BareFilter[]): void {
  const last = out[out.length - 1];
  if (!last) return;
  const pads = last.outputs;
  last.outputs = [];
  extra.forEach((f, i) => out.push({ inputs: [], name: f.name, rawArgs: f.rawArgs, outputs: i === extra.length - 1 ? pads : [] }));
}
