/** Reads one option token: its base name, stream specifier, scope and whether it takes a value. */
import {
  EXIT_OPTIONS,
  FLAG_OPTIONS,
  GLOBAL_OPTIONS,
  NEGATABLE_OPTIONS,
  OPTIONAL_VALUE_OPTIONS,
  VALUE_OPTIONS,
  VALUE_OPTION_PREFIXES,
} from './option-table.ts';
import { isOptionToken, splitOptionName } from '../ffmpeg-grammar/describe.ts';

export { isOptionToken };

/** How an option consumes the following token. */
export type ValueArity = 'yes' | 'no' | 'optional' | 'unknown';

/** What the grammar says about one option token. */
export interface OptionShape {
  /** As written, without leading dashes: `codec:0`. */
  readonly name: string;
  /** Alias-resolved name without specifier: `codec`. */
  readonly base: string;
  /** Stream specifier after alias resolution; null when none. */
  readonly spec: string | null;
  /** Whether it takes the next token as its value. */
  readonly arity: ValueArity;
  /** True for options that apply to the whole run. */
  readonly global: boolean;
  /** True for options that print something and exit (capability queries). */
  readonly exit: boolean;
  /** True when the option is in this parser's tables. */
  readonly known: boolean;
}

/** Describes an option token such as `-codec:0`, `-vcodec`, `-noaccurate_seek` or `--help`. */
export function describeOption(token: string): OptionShape {
  const name = token.startsWith('--') ? token.slice(2) : token.slice(1);
  const { base, spec } = splitOptionName(name);
  // ffmpeg looks in its own table first, then AVOptions, then `-noX` of a bool option.
  const negated = !FLAG_OPTIONS.has(base) && !VALUE_OPTIONS.has(base) && base.startsWith('no') && NEGATABLE_OPTIONS.has(base.slice(2));
  const plain = negated ? base.slice(2) : base;
  const exit = EXIT_OPTIONS.has(base);
  let arity: ValueArity;
  if (exit) arity = OPTIONAL_VALUE_OPTIONS.has(base) ? 'optional' : 'no';
  else if (negated || FLAG_OPTIONS.has(plain)) arity = 'no';
  else if (VALUE_OPTIONS.has(base) || VALUE_OPTION_PREFIXES.some((p) => base.startsWith(p))) arity = 'yes';
  else arity = 'unknown';
  return { name, base, spec, arity, global: exit || GLOBAL_OPTIONS.has(plain), exit, known: arity !== 'unknown' };
}

/**
 * Whether an option of unknown arity takes the next token. ffmpeg would treat it as an AVOption,
 * which always takes a value; the one exception made here is a next token that is itself a known
 * option (and not a negative number), which means the unknown option was a flag.
 */
export function unknownTakesValue(next: string | undefined): boolean {
  if (next === undefined) return false;
  if (!isOptionToken(next) || /^-[\d.]/.test(next)) return true;
  return !describeOption(next).known;
}
