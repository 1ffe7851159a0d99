// HDR→SDR tone-mapping with stock software filters (zscale linearises, tonemap compresses).
import type { FilterNode } from './filtergraph.ts';

/** A filter without pad labels. */
export type BareFilter = Pick<FilterNode, 'name' | 'rawArgs'>;

/**
 * The software tone-map chain. Stock `tonemap` needs linear float input, which Plex's fork
 * (and its `tonemap_cuda`/`tonemap_vaapi` chains) do implicitly. The input transfer is
 * stated, not read from frame tags: PMS only asks for tone-mapping on HDR sources, and
 * untagged HDR10 streams would otherwise stop zscale ("no path between colorspaces").
 */
export function softwareTonemap(algorithm: string, outFormat: string, transfer?: string): BareFilter[] {
  const tin = transfer === 'arib-std-b67' ? 'arib-std-b67' : 'smpte2084';
  return [
    { name: 'zscale', rawArgs: `tin=${tin}:min=bt2020nc:pin=bt2020:t=linear:npl=100` },
    { name: 'format', rawArgs: 'gbrpf32le' },
    { name: 'zscale', rawArgs: 'p=bt709' },
    { name: 'tonemap', rawArgs: `tonemap=${algorithm}:desat=0` },
    { name: 'zscale', rawArgs: 't=bt709:m=bt709:r=tv' },
    { name: 'format', rawArgs: outFormat },
  ];
}

/** Tone-map algorithms stock `tonemap` knows (Plex passes these names to every tone-mapper). */
const ALGORITHMS = new Set(['none', 'linear', 'gamma', 'clip', 'reinhard', 'hable', 'mobius']);

/** Plex's algorithm name if stock knows it, else `hable` (Plex's default choice). */
export function tonemapAlgorithm(name: string | undefined): string {
  return name !== undefined && ALGORITHMS.has(name) ? name : 'hable';
}
