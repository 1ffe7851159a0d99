/** HDR tone mapping and hardware acceleration named in an argv. */
import { apiOf, isHardwareCodec, isHardwareFilter } from './codecs.ts';
import type { HardwareFacts, ToneMapping } from './fact-types.ts';
import { filterArg, type GraphFilter } from './filter-graph.ts';
import { lastValue } from './inputs.ts';
import type { ArgvOption, PlexInput, PlexOutput } from './types.ts';

const TONEMAP_FILTERS: ReadonlySet<string> = new Set([
  'tonemap', 'tonemap_cuda', 'tonemap_vaapi', 'tonemap_opencl', 'tonemap_vulkan', 'tonemap_videotoolbox', 'tonemapx',
]);

/** True when `filter` maps HDR to SDR (tonemap filters, libplacebo/vpp_qsv with tone mapping on). */
function mapsTones(filter: GraphFilter): boolean {
  if (TONEMAP_FILTERS.has(filter.name)) return true;
  if (filter.name === 'libplacebo') return filterArg(filter, ['tonemapping']) !== null;
  if (filter.name === 'vpp_qsv') return ['1', 'true'].includes(filterArg(filter, ['tonemap']) ?? '');
  return false;
}

/** Tone mapping: the tone-mapping filters, plus `zscale` when it takes part (`zscale`+`tonemap`). */
export function findToneMapping(graphs: readonly (readonly GraphFilter[])[]): ToneMapping {
  const involved: string[] = [];
  let enabled = false;
  for (const graph of graphs) {
    for (const filter of graph) {
      const tonemap = mapsTones(filter);
      enabled ||= tonemap;
      if ((tonemap || filter.name === 'zscale') && !involved.includes(filter.name)) involved.push(filter.name);
    }
  }
  return { enabled, filters: enabled ? involved : [] };
}

function unique(values: Iterable<string | null | undefined>): string[] {
  const out: string[] = [];
  for (const value of values) if (value && !out.includes(value)) out.push(value);
  return out;
}

/** The API of the device `-filter_hw_device` names (`vaapi` in `-init_hw_device vaapi=va:/dev/…`). */
function filterDeviceApi(devices: readonly string[], filterDevice: string | null): string | null {
  if (filterDevice === null) return null;
  for (const device of devices) {
    const match = /^([^=:]+)(?:=([^:]*))?/.exec(device);
    if (match && (match[2] ?? match[1]) === filterDevice) return apiOf(match[1] ?? '') ?? match[1] ?? null;
  }
  return apiOf(filterDevice);
}

/** Hardware decode, devices, encoders and filters, and the APIs they actually use. */
export function findHardware(
  globals: readonly ArgvOption[],
  inputs: readonly PlexInput[],
  outputs: readonly PlexOutput[],
  graphs: readonly (readonly GraphFilter[])[],
): HardwareFacts {
  const hwaccels = unique(inputs.map((input) => (input.hwaccel === 'none' ? null : input.hwaccel)));
  const devices = unique(
    globals.filter((o) => ['init_hw_device', 'vaapi_device', 'qsv_device'].includes(o.base)).map((o) => o.value),
  );
  const filterDevice = lastValue(globals, 'filter_hw_device');
  const decoders = unique(inputs.flatMap((input) => input.decoders.map((d) => d.codec)).filter(isHardwareCodec));
  const encoders = unique(outputs.flatMap((o) => o.streams.map((s) => s.codec ?? '')).filter(isHardwareCodec));
  const filters = unique(graphs.flatMap((graph) => graph.map((f) => f.name)).filter(isHardwareFilter));
  const deviceApi = filterDeviceApi(devices, filterDevice);
  const apis = unique([
    ...hwaccels.map((name) => apiOf(name) ?? name),
    ...decoders.map(apiOf),
    ...encoders.map(apiOf),
    ...filters.map((name) => apiOf(name) ?? deviceApi),
  ]);
  return { hwaccels, devices, filterDevice, decoders, encoders, filters, apis };
}
