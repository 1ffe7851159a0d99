// Global options: Plex's private ones, hardware devices, logging and progress output.
import { removeOptions, type Opt } from './argv-model.ts';
import type { Dropped } from './types.ts';

/** Plex's global settings lifted out of the argv. */
export interface PlexGlobals {
  progressUrl: string | null;
  /** `-map_inlineass file:spec`, split. */
  inlineass: { file: number; spec: string } | null;
  copyts: boolean;
}

const QUIET = new Set(['quiet', '-8', 'panic', '0', 'fatal', '8']);

/** Removes Plex-only and host-specific globals (and any progress/stdin/stats option: the worker's runner owns those). */
export function translateGlobals(globals: Opt[], dropped: Dropped[]): PlexGlobals {
  const result: PlexGlobals = { progressUrl: null, inlineass: null, copyts: globals.some((o) => o.name === 'copyts') };
  for (const o of removeOptions(globals, (g) => ['progressurl', 'loglevel_plex', 'map_inlineass', 'xioerror',
    'init_hw_device', 'filter_hw_device', 'progress', 'stats', 'nostats', 'stdin', 'nostdin'].includes(g.name))) {
    if (o.name === 'progressurl') {
      result.progressUrl = o.value;
      dropped.push({ option: '-progressurl', value: o.value, reason: "Plex-only; the worker's progress emulator sends Plex's requests from -progress" });
    } else if (o.name === 'map_inlineass') {
      const m = /^(\d+):(.+)$/.exec(o.value ?? '');
      if (m && m[1] && m[2]) result.inlineass = { file: Number(m[1]), spec: m[2] };
      dropped.push({ option: '-map_inlineass', value: o.value, reason: 'Plex-only; the inlineass filter becomes subtitles= reading this stream' });
    } else if (o.name === 'loglevel_plex') dropped.push({ option: '-loglevel_plex', value: o.value, reason: 'Plex-only log relay level' });
    else if (o.name === 'xioerror') dropped.push({ option: '-xioerror', value: null, reason: 'Plex-only' });
    else if (o.name === 'init_hw_device' || o.name === 'filter_hw_device') {
      dropped.push({ option: `-${o.name}`, value: o.value, reason: "names the Plex machine's device; the worker sets up its own backend" });
    }
  }
  for (const o of globals) {
    // Plex runs its transcoder with -loglevel quiet; the worker still needs the reason for a failure.
    if ((o.name === 'loglevel' || o.name === 'v') && QUIET.has(o.value ?? '')) o.value = 'error';
  }
  // The runner puts `-nostdin -progress pipe:3` first itself (the sandbox refuses `-progress` from
  // anyone else); `-nostats` keeps stderr, which streams to the cartridge, free of status lines.
  globals.push({ name: 'nostats', spec: null, value: null });
  return result;
}
