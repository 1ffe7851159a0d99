// What each backend needs on stock ffmpeg 5.1: device set-up, decode, upload and filter names.
import type { Backend, TranslateContext } from './types.ts';

/** Frame location a hardware backend works in ('sw' for system memory). */
export type FrameLoc = 'sw' | 'hw';

/** Per-backend names used when rewriting argv and filtergraphs. */
export interface BackendProfile {
  /** `-hwaccel` value, or null for software decode. */
  hwaccel: string | null;
  /** `-hwaccel_output_format` value that keeps frames on the device. */
  hwFormat: string | null;
  /** Name given to the device by `-init_hw_device`, used by `-hwaccel_device`/`-filter_hw_device`. */
  deviceName: string | null;
  /** Scale (and pixel format conversion) filter on device frames. */
  scaleFilter: string | null;
  /** Tone-mapping filter on device frames in stock 5.1 (null: tone-map in software). */
  tonemapFilter: string | null;
  deinterlaceFilter: string;
  /** Encoder suffix (`h264_<suffix>`), null for software encoders. */
  encoderSuffix: string | null;
  /** Whether its encoders need device frames (true) or also take system memory (false). */
  encoderNeedsHw: boolean;
}

const PROFILES: Record<Backend, BackendProfile> = {
  software: { hwaccel: null, hwFormat: null, deviceName: null, scaleFilter: null, tonemapFilter: null,
    deinterlaceFilter: 'yadif', encoderSuffix: null, encoderNeedsHw: false },
  // tonemap_cuda is Plex-only; stock 5.1 has no CUDA tone-mapper, so NVENC jobs tone-map on the CPU.
  nvenc: { hwaccel: 'cuda', hwFormat: 'cuda', deviceName: 'cuda', scaleFilter: 'scale_cuda', tonemapFilter: null,
    deinterlaceFilter: 'yadif_cuda', encoderSuffix: 'nvenc', encoderNeedsHw: false },
  vaapi: { hwaccel: 'vaapi', hwFormat: 'vaapi', deviceName: 'vaapi', scaleFilter: 'scale_vaapi',
    tonemapFilter: 'tonemap_vaapi', deinterlaceFilter: 'deinterlace_vaapi', encoderSuffix: 'vaapi', encoderNeedsHw: true },
  qsv: { hwaccel: 'qsv', hwFormat: 'qsv', deviceName: 'qsv', scaleFilter: 'scale_qsv', tonemapFilter: null,
    deinterlaceFilter: 'deinterlace_qsv', encoderSuffix: 'qsv', encoderNeedsHw: true },
};

/** The profile of a backend. */
export function backendProfile(backend: Backend): BackendProfile {
  return PROFILES[backend];
}

/** Global `-init_hw_device`/`-filter_hw_device` options for the chosen backend. */
export function deviceInitArgs(ctx: TranslateContext): { name: string; value: string }[] {
  const vaapiDevice = ctx.vaapiDevice ?? '/dev/dri/renderD128';
  switch (ctx.backend) {
    case 'software': return [];
    case 'nvenc': return [
      { name: 'init_hw_device', value: `cuda=cuda:${ctx.cudaDevice ?? '0'}` },
      { name: 'filter_hw_device', value: 'cuda' },
    ];
    case 'vaapi': return [
      { name: 'init_hw_device', value: `vaapi=vaapi:${vaapiDevice}` },
      { name: 'filter_hw_device', value: 'vaapi' },
    ];
    // QSV is derived from a VAAPI device on Linux (the documented stock recipe).
    case 'qsv': return [
      { name: 'init_hw_device', value: `vaapi=va:${vaapiDevice}` },
      { name: 'init_hw_device', value: 'qsv=qsv@va' },
      { name: 'filter_hw_device', value: 'qsv' },
    ];
  }
}

/** Filters that move frames onto the backend's device (a no-op for frames already there). */
export function uploadFilters(backend: Backend): { name: string; rawArgs: string | null }[] {
  if (backend === 'software') return [];
  // Bare hwupload: it passes device frames through and negotiates the sw format it accepts.
  if (backend === 'qsv') return [{ name: 'hwupload', rawArgs: 'extra_hw_frames=64' }, { name: 'format', rawArgs: 'qsv' }];
  return [{ name: 'hwupload', rawArgs: null }];
}
