// A filter's own argument syntax: `key=value:key=value` or positional `value:value`.
import { escapeForGraph, escapeToken, unescapeToken } from './filtergraph.ts';

/** One argument: `key` is null for a positional value. */
export interface FilterArg {
  key: string | null;
  value: string;
}

/** Splits graph-escaped raw args into unescaped key/value pairs (two av_get_token passes). */
export function parseFilterArgs(rawArgs: string | null): FilterArg[] {
  if (rawArgs === null) return [];
  const args = unescapeToken(rawArgs);
  const pieces: string[] = [];
  let start = 0;
  for (let i = 0; i < args.length; i++) {
    const c = args[i];
    if (c === '\\') i++;
    else if (c === "'") { const close = args.indexOf("'", i + 1); i = close < 0 ? args.length : close; }
    else if (c === ':') { pieces.push(args.slice(start, i)); start = i + 1; }
  }
  pieces.push(args.slice(start));
  return pieces.filter((p) => p.length > 0).map((piece) => {
    const m = /^([A-Za-z0-9_.\-/]+)=/.exec(piece);
    if (!m || !m[1]) return { key: null, value: unescapeToken(piece) };
    return { key: m[1], value: unescapeToken(piece.slice(m[0].length)) };
  });
}

/** Builds graph-ready raw args from pairs, escaping values for both parsing levels. */
export function buildFilterArgs(args: readonly FilterArg[]): string {
  const text = args
    .map((a) => (a.key === null ? '' : `${a.key}=`) + escapeToken(a.value, ':='))
    .join(':');
  return escapeForGraph(text);
}

/** Value of `key`, or of the positional argument at `position` when given. */
export function argValue(args: readonly FilterArg[], key: string, position?: number): string | undefined {
  const named = args.find((a) => a.key === key);
  if (named) return named.value;
  if (position === undefined) return undefined;
  return args.filter((a) => a.key === null)[position]?.value;
}
