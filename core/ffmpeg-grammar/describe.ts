/** describeOption: what the one grammar says about an option token (`-codec:0`, `-vcodec`, `-noautorotate`). */
import { avOption } from './av-options.ts';
import { MAIN_OPTIONS, OPTION_ALIASES } from './main-options.ts';
import type { MainOption, OptionInfo } from './types.ts';

/** True for tokens in option position that ffmpeg reads as options (`-x`; a lone `-` is a file). */
export function isOptionToken(token: string): boolean {
  return token.length > 1 && token.charCodeAt(0) === 45 /* - */;
}

/** An option name (without dashes) split as ffmpeg reads it: the name up to `:`, its specifier, aliases resolved (`vcodec` → `codec` for `v`). */
export function splitOptionName(name: string): { written: string; writtenSpec: string | null; base: string; spec: string | null } {
  const colon = name.indexOf(':');
  const written = colon === -1 ? name : name.slice(0, colon);
  const writtenSpec = colon === -1 ? null : name.slice(colon + 1);
  const alias = OPTION_ALIASES.get(written);
  return { written, writtenSpec, base: alias ? alias[0] : written, spec: alias && alias[1] !== null ? alias[1] : writtenSpec };
}

/** The main-table entry of `name` (without dash or specifier), if ffmpeg 5.1 or Plex's fork defines it. */
export function mainOption(name: string): MainOption | undefined {
  return MAIN_OPTIONS.get(name);
}

/**
 * Describes an option token the way ffmpeg 5.1's `split_commandline` reads it: its own table
 * first (name up to `:`), then AVOptions (which always take a value), then `-noNAME` for a bool.
 */
export function describeOption(token: string): OptionInfo {
  const name = token.slice(1);
  const { written, writtenSpec, base, spec } = splitOptionName(name);
  // `-i` separates inputs only when written exactly so (ffmpeg rejects `-i:0`).
  const main = written === 'i' && writtenSpec !== null ? undefined : MAIN_OPTIONS.get(written);
  if (main !== undefined) {
    const takesValue = main.arity === 'value' || main.arity === 'boolValue' || main.arity === 'exit';
    return info(name, base, spec, false, takesValue, 'main', main);
  }
  const av = avOption(written);
  if (av !== undefined) {
    return { name, base, spec, negated: false, takesValue: true, source: 'av', arity: 'value', scope: 'file',
      kind: av.kind, refused: av.refused ?? null, plexOnly: av.plexOnly === true };
  }
  if (written.startsWith('no')) {
    const negated = MAIN_OPTIONS.get(written.slice(2));
    if (negated !== undefined && (negated.arity === 'bool' || negated.arity === 'boolValue')) {
      return info(name, written.slice(2), spec, true, false, 'main', negated);
    }
  }
  return { name, base, spec, negated: false, takesValue: true, source: 'unknown', arity: 'value', scope: 'file',
    kind: 'plain', refused: null, plexOnly: false };
}

function info(name: string, base: string, spec: string | null, negated: boolean, takesValue: boolean,
  source: 'main', entry: MainOption): OptionInfo {
  return { name, base, spec, negated, takesValue, source, arity: entry.arity, scope: entry.scope,
    kind: negated ? 'plain' : entry.kind, refused: entry.refused ?? null, plexOnly: entry.plexOnly === true };
}
