// Plex's `inlineass` burn-in filter → stock `subtitles=` reading the subtitle stream itself.
import { buildFilterArgs, parseFilterArgs, type FilterArg } from './filter-args.ts';
import type { BareFilter } from './tonemap.ts';

/** Where the burned-in subtitles come from (resolved from `-map_inlineass file:spec`). */
export interface SubtitleSource {
  file: string;
  /** Index among that file's subtitle streams (the `si` of `subtitles=`). */
  subtitleIndex: number;
  /** Seconds between frame timestamps and the file's own timeline (an `-ss` without `-copyts`). */
  timeShift: number;
}

/**
 * Builds the stock replacement. Plex's `overrides` are ASS style overrides, exactly what
 * `force_style` takes; `outline`/`shadow` are the style's Outline/Shadow. `font_size`,
 * `font_scale`, `font_path`, `fontconfig_file` and `language` name Plex-side resources or
 * libass tuning with no stock equivalent, so the worker's fonts (`fontsDir`) are used instead.
 */
export function inlineassToSubtitles(rawArgs: string | null, source: SubtitleSource, fontsDir?: string): BareFilter[] {
  const args = parseFilterArgs(rawArgs);
  const style: string[] = [];
  for (const [key, field] of [['outline', 'Outline'], ['shadow', 'Shadow']] as const) {
    const value = args.find((a) => a.key === key)?.value;
    if (value !== undefined) style.push(`${field}=${value}`);
  }
  const overrides = args.find((a) => a.key === 'overrides')?.value;
  if (overrides) style.push(overrides);
  const out: FilterArg[] = [
    { key: 'filename', value: source.file },
    { key: 'si', value: String(source.subtitleIndex) },
  ];
  if (fontsDir) out.push({ key: 'fontsdir', value: fontsDir });
  if (style.length > 0) out.push({ key: 'force_style', value: style.join(',') });
  const burn: BareFilter = { name: 'subtitles', rawArgs: buildFilterArgs(out) };
  if (source.timeShift === 0) return [burn];
  // subtitles= matches events to frame timestamps; shift frames onto the file's timeline and back.
  const s = source.timeShift;
  return [{ name: 'setpts', rawArgs: `PTS+${s}/TB` }, burn, { name: 'setpts', rawArgs: `PTS-${s}/TB` }];
}
