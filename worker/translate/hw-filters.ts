// Per-filter rewriting of hardware filters onto the chosen backend (or software).
import { PlexBeamError } from '../../core/errors.ts';
import { argValue, buildFilterArgs, parseFilterArgs, type FilterArg } from './filter-args.ts';
import type { FilterNode } from './filtergraph.ts';
import { backendProfile, uploadFilters, type FrameLoc } from './hw-backends.ts';
import { inlineassToSubtitles, type SubtitleSource } from './inlineass.ts';
import { softwareTonemap, tonemapAlgorithm, type BareFilter } from './tonemap.ts';
import type { Backend } from './types.ts';

/** Where frames are and which software format they have (or would download as). */
export interface FrameState {
  loc: FrameLoc;
  swFormat: string;
  transfer?: string;
  /** Name of the filter before this one in the original chain. */
  previous?: string;
}

/** What the rewrite of one filter needs from the job. */
export interface FilterEnv {
  backend: Backend;
  subtitle: SubtitleSource | null;
  fontsDir?: string;
  warnings: string[];
}

/** Filters that work on device frames as well as system memory. */
const ANY_LOC = new Set(['null', 'copy', 'setpts', 'fps', 'setsar', 'setdar', 'settb', 'split', 'trim', 'showinfo', 'anull']);
const SCALERS = new Set(['scale_vaapi', 'scale_cuda', 'scale_qsv', 'scale_npp', 'vpp_qsv']);
const HW_TONEMAPS = new Set(['tonemap_cuda', 'tonemap_vaapi', 'tonemap_opencl']);
const DEINTERLACERS = new Set(['deinterlace_vaapi', 'yadif_cuda', 'bwdif_cuda', 'deinterlace_qsv']);
const HW_SUFFIX = /_(vaapi|cuda|qsv|npp|opencl|vulkan)$/;

const download = (st: FrameState): BareFilter[] =>
  [{ name: 'hwdownload', rawArgs: null }, { name: 'format', rawArgs: st.swFormat }];

/** Frames moved to system memory if they are on the device. */
export function toSoftware(st: FrameState): BareFilter[] {
  if (st.loc === 'sw') return [];
  st.loc = 'sw';
  return download(st);
}

/** Frames moved to the device if they are in system memory. */
export function toDevice(st: FrameState, backend: Backend): BareFilter[] {
  if (st.loc === 'hw' || backend === 'software') return [];
  st.loc = 'hw';
  return uploadFilters(backend);
}

/** First pixel format named by a `format` filter's arguments. */
function formatOf(args: FilterArg[]): string | undefined {
  const list = argValue(args, 'pix_fmts', 0)?.split('|') ?? [];
  return list.find((f) => f === 'nv12' || f === 'p010' || f === 'p010le') ?? list[0];
}

/** Rewrites one filter for `env.backend`, updating `st`; returns the replacement (maybe empty). */
export function rewriteFilter(node: FilterNode, st: FrameState, env: FilterEnv): BareFilter[] {
  const { name } = node;
  const args = parseFilterArgs(node.rawArgs);
  const profile = backendProfile(env.backend);
  if (name === 'hwupload' || name === 'hwupload_cuda') {
    if (env.backend === 'software') return [];
    st.loc = 'hw';
    return uploadFilters(env.backend); // kept even for device frames: it guards a software-decode fallback
  }
  if (name === 'hwdownload') return st.loc === 'hw' ? (st.loc = 'sw', [{ name, rawArgs: null }]) : [];
  if (name === 'hwmap') return env.backend === 'software' ? [] : [{ name, rawArgs: node.rawArgs }];
  if (SCALERS.has(name)) {
    const w = argValue(args, 'w', 0) ?? argValue(args, 'width');
    const h = argValue(args, 'h', 1) ?? argValue(args, 'height');
    const format = argValue(args, 'format');
    const size: FilterArg[] = [];
    if (w !== undefined) size.push({ key: 'w', value: w });
    if (h !== undefined) size.push({ key: 'h', value: h });
    for (const key of ['force_original_aspect_ratio', 'force_divisible_by']) {
      const v = argValue(args, key);
      if (v !== undefined) size.push({ key, value: v });
    }
    if (format) st.swFormat = format;
    if (profile.scaleFilter === null) {
      const out: BareFilter[] = [...toSoftware(st), { name: 'scale', rawArgs: buildFilterArgs(size) }];
      return format ? [...out, { name: 'format', rawArgs: format }] : out;
    }
    const hwArgs = format ? [...size, { key: 'format', value: format }] : size;
    return [...toDevice(st, env.backend), { name: profile.scaleFilter, rawArgs: buildFilterArgs(hwArgs) }];
  }
  if (HW_TONEMAPS.has(name)) {
    const algorithm = tonemapAlgorithm(argValue(args, 'tonemap', 0));
    const format = argValue(args, 'format', name === 'tonemap_cuda' ? 1 : undefined) ?? 'nv12';
    if (profile.tonemapFilter !== null) {
      st.swFormat = format;
      return [...toDevice(st, env.backend), { name: profile.tonemapFilter, rawArgs: `format=${format}` }];
    }
    const out = [...toSoftware(st), ...softwareTonemap(algorithm, format, st.transfer)];
    st.swFormat = format;
    return out;
  }
  if (name === 'tonemap' && st.previous !== 'zscale' && !/gbrp?f32/.test(node.rawArgs ?? '')) {
    // Plex's `format=p010,tonemap=ALGO` feeds non-linear video to a filter that wants linear float.
    const out = [...toSoftware(st), ...softwareTonemap(tonemapAlgorithm(argValue(args, 'tonemap', 0)), 'nv12', st.transfer)];
    st.swFormat = 'nv12';
    return out;
  }
  if (DEINTERLACERS.has(name)) {
    if (env.backend === 'software') return [{ name: name === 'bwdif_cuda' ? 'bwdif' : 'yadif', rawArgs: null }];
    return [...toDevice(st, env.backend), { name: profile.deinterlaceFilter, rawArgs: null }];
  }
  if (name === 'inlineass') {
    // Dropping the burn-in would play without the subtitles asked for: Plex's own transcoder must run it.
    if (!env.subtitle) throw new PlexBeamError('TRANSLATE_UNSUPPORTED', 'inlineass burn-in without a usable -map_inlineass: no stream to read the subtitles from');
    return [...toSoftware(st), ...inlineassToSubtitles(node.rawArgs, env.subtitle, env.fontsDir)];
  }
  const family = HW_SUFFIX.exec(name)?.[1];
  if (family !== undefined) {
    const base = name.slice(0, -family.length - 1);
    if (env.backend === 'software' || family !== profile.hwaccel) {
      env.warnings.push(`${name}: no ${env.backend} equivalent known; using software ${base}`);
      return [...toSoftware(st), { name: base, rawArgs: node.rawArgs }];
    }
    return [...toDevice(st, env.backend), { name, rawArgs: node.rawArgs }];
  }
  if (ANY_LOC.has(name)) return [{ name, rawArgs: node.rawArgs }];
  if (name === 'format') st.swFormat = formatOf(args) ?? st.swFormat;
  return [...toSoftware(st), { name, rawArgs: node.rawArgs }];
}
