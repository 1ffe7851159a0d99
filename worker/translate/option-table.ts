// Which ffmpeg (and Plex-fork) options are global, and which take no value: read from the one
// grammar (core/ffmpeg-grammar), which the sandbox and the cartridge's parser read too.
// ffmpeg's parser treats every option as taking a value unless its table marks it boolean
// (AVOptions always take a value, so `-sei:0 -a53_cc` is one option with the value `-a53_cc`).
import { describeOption } from '../../core/ffmpeg-grammar/index.ts';

/** True when `-name` (without spec) takes no value; `-noX` of a bool option included. */
export function isBooleanOption(name: string): boolean {
  return !describeOption(`-${name}`).takesValue;
}

/** True when `-name` acts on the whole run wherever it appears; `-noX` forms follow X. */
export function isGlobalOption(name: string): boolean {
  return describeOption(`-${name}`).scope === 'global';
}
