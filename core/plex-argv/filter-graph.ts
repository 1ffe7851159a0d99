/**
 * Parses ffmpeg filter graphs (`[0:0]hwupload[0];[0]scale_vaapi=w=3840:h=2160[1]`): chains split on
 * `;`, filters on `,`, arguments on `:`, each respecting `'quotes'` and backslash escapes, so Plex's
 * escaped `inlineass` overrides (`\\\=`, `\\\,`) stay inside their argument.
 */
import { unquote } from './values.ts';

/** One `key=value` (or positional) filter argument. */
export interface FilterArg {
  /** The key; null for a positional argument. */
  readonly key: string | null;
  /** The value, one level of quoting/escaping removed. */
  readonly value: string;
  /** The argument as the filter receives it (graph-level quoting already removed). */
  readonly raw: string;
}

/** One filter of a graph. */
export interface GraphFilter {
  /** Filter name (`scale_vaapi`). */
  readonly name: string;
  /** Its arguments in order. */
  readonly args: readonly FilterArg[];
  /** Input pad labels written before it (`0:0`, `2`). */
  readonly inputs: readonly string[];
  /** Output pad labels written after it. */
  readonly outputs: readonly string[];
  /** Chain number inside the graph. */
  readonly chain: number;
  /** Position inside the chain (0 = first). */
  readonly position: number;
}

const BACKSLASH = 92;
const QUOTE = 39;

/** Splits `text` on the `separator` char outside quotes, skipping backslash-escaped chars. */
export function splitOutside(text: string, separator: string): string[] {
  const sep = separator.charCodeAt(0);
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === BACKSLASH) i++;
    else if (code === QUOTE) quoted = !quoted;
    else if (code === sep && !quoted) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** Index of the first `code` char outside quotes and escapes, or -1. */
function indexOutside(text: string, code: number): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) quoted = !quoted;
    else if (c === code && !quoted) return i;
  }
  return -1;
}

/** Reads `[a][b]` labels from `text` at `from`; returns them and where they end. */
function readLabels(text: string, from: number): { labels: string[]; end: number } {
  const labels: string[] = [];
  let i = from;
  for (;;) {
    while (i < text.length && text.charCodeAt(i) <= 32) i++;
    if (text[i] !== '[') break;
    const close = text.indexOf(']', i);
    if (close === -1) break;
    labels.push(text.slice(i + 1, close));
    i = close + 1;
  }
  return { labels, end: i };
}


/** Parses `key=value:value2` filter arguments (already unquoted once at graph level). */
export function parseFilterArgs(text: string): FilterArg[] {
  if (text === '') return [];
  return splitOutside(text, ':').map((raw) => {
    const eq = indexOutside(raw, 61 /* = */);
    // As in ffmpeg, only a plain word before '=' is a key (`pan=stereo|c0=FL` is positional).
    if (eq === -1 || !/^\s*[\w./-]+\s*$/.test(raw.slice(0, eq))) return { key: null, value: unescapeArg(raw), raw };
    return { key: raw.slice(0, eq).trim(), value: unescapeArg(raw.slice(eq + 1)), raw };
  });
}

function unescapeArg(text: string): string {
  return unquote(text).trim();
}

/** Parses a whole filter graph; never throws (malformed parts become filters with odd names). */
export function parseFilterGraph(graph: string): GraphFilter[] {
  const filters: GraphFilter[] = [];
  splitOutside(graph, ';').forEach((chainText, chain) => {
    splitOutside(chainText, ',').forEach((filterText, position) => {
      const head = readLabels(filterText, 0);
      const bracket = indexOutside(filterText.slice(head.end), 91 /* [ */);
      const end = bracket === -1 ? filterText.length : head.end + bracket;
      const body = filterText.slice(head.end, end).trim();
      const eq = body.indexOf('=');
      const name = (eq === -1 ? body : body.slice(0, eq)).trim();
      // Two escaping levels, as in ffmpeg: the graph parser unquotes the whole argument string
      // (av_get_token), then the filter splits it on ':' and unquotes each value again.
      const args = eq === -1 ? [] : parseFilterArgs(unescapeArg(body.slice(eq + 1)));
      const tail = readLabels(filterText, end);
      if (name === '' && head.labels.length === 0 && tail.labels.length === 0) return;
      filters.push({ name, args, inputs: head.labels, outputs: tail.labels, chain, position });
    });
  });
  return filters;
}

/** The value of a named argument, or of the positional argument at `position` when given. */
export function filterArg(filter: GraphFilter, keys: readonly string[], position?: number): string | null {
  for (let i = filter.args.length - 1; i >= 0; i--) {
    const arg = filter.args[i] as FilterArg;
    if (arg.key !== null && keys.includes(arg.key)) return arg.value;
  }
  if (position === undefined) return null;
  let seen = 0;
  for (const arg of filter.args) {
    if (arg.key !== null) break;
    if (seen++ === position) return arg.value;
  }
  return null;
}

/** Parses filter graphs, each distinct text once per cache (a parse and its pattern share one). */
export type GraphParser = (graph: string) => readonly GraphFilter[];

/** A GraphParser that remembers what it parsed. */
export function createGraphParser(): GraphParser {
  const parsed = new Map<string, readonly GraphFilter[]>();
  return (graph) => {
    let filters = parsed.get(graph);
    if (filters === undefined) parsed.set(graph, (filters = parseFilterGraph(graph)));
    return filters;
  };
}
