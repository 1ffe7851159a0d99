/**
 * Filter graphs read exactly as ffmpeg 5.1 reads them: `avfilter_graph_parse2` cuts the graph
 * with `av_get_token` (backslash escapes one character, `'…'` quotes, terminators `=,;[`
 * for a name and `[],;` for its arguments); then each filter cuts its argument string with
 * `av_opt_get_key_value` (a key of `[A-Za-z0-9_./-]` before `=`, values through
 * `av_get_token` again with terminator `:`). What this returns is what the filter receives.
 */

const WHITESPACE = ' \n\t\r';

/** ffmpeg's `av_get_token`: reads one token from `text` at `from` up to an unescaped, unquoted `term` char. */
export function getToken(text: string, from: number, term: string): { token: string; end: number } {
  let p = from;
  while (p < text.length && WHITESPACE.includes(text[p] as string)) p++;
  let out = '';
  let keep = 0; // length of `out` that trailing-whitespace trimming must not cut (escaped or quoted chars)
  while (p < text.length && !term.includes(text[p] as string)) {
    const c = text[p++] as string;
    if (c === '\\' && p < text.length) {
      out += text[p++];
      keep = out.length;
    } else if (c === "'") {
      while (p < text.length && text[p] !== "'") out += text[p++];
      if (p < text.length) {
        p++;
        keep = out.length;
      }
    } else {
      out += c;
    }
  }
  let end = out.length;
  while (end > keep && WHITESPACE.includes(out[end - 1] as string)) end--;
  return { token: out.slice(0, end), end: p };
}

/** One filter of a graph as ffmpeg instantiates it. */
export interface ParsedFilter {
  /** Filter name (before any `@instance`), as ffmpeg looks it up. */
  readonly name: string;
  /** The argument string the filter receives (graph-level escaping removed); null when none. */
  readonly args: string | null;
}

/** A graph ffmpeg would parse; `error` says why ffmpeg would refuse it. */
export interface ParsedGraph {
  readonly filters: readonly ParsedFilter[];
  readonly error: string | null;
}

function skipSpace(text: string, p: number): number {
  while (p < text.length && WHITESPACE.includes(text[p] as string)) p++;
  return p;
}

/** Reads `[label]` pads at `p`; returns the end, or -1 on a malformed label. */
function skipLabels(text: string, p: number): number {
  while (text[p] === '[') {
    const label = getToken(text, p + 1, ']');
    if (label.token === '' || text[label.end] !== ']') return -1;
    p = skipSpace(text, label.end + 1);
  }
  return p;
}

/** Parses a filter graph the way `avfilter_graph_parse2` does. */
export function parseGraph(graph: string): ParsedGraph {
  const filters: ParsedFilter[] = [];
  let p = skipSpace(graph, 0);
  // A leading `sws_flags=…;` sets scaler flags for the graph.
  if (graph.startsWith('sws_flags=', p)) {
    const semi = graph.indexOf(';', p);
    if (semi === -1) return { filters, error: 'sws_flags without a terminating ;' };
    p = semi + 1;
  }
  for (;;) {
    p = skipLabels(graph, skipSpace(graph, p));
    if (p === -1) return { filters, error: 'malformed pad label' };
    const name = getToken(graph, p, '=,;[');
    p = name.end;
    let args: string | null = null;
    if (graph[p] === '=') {
      const read = getToken(graph, p + 1, '[],;');
      args = read.token;
      p = read.end;
    }
    if (name.token === '') return { filters, error: 'a filter without a name' };
    const at = name.token.indexOf('@');
    filters.push({ name: at === -1 ? name.token : name.token.slice(0, at), args });
    p = skipLabels(graph, p);
    if (p === -1) return { filters, error: 'malformed pad label' };
    p = skipSpace(graph, p);
    const chr = graph[p];
    if (chr === undefined) return { filters, error: null };
    if (chr !== ',' && chr !== ';') return { filters, error: `unexpected "${chr}"` };
    p++;
  }
}

/** One `key=value` (or positional) filter option as the filter receives it. */
export interface FilterOption {
  /** The key; null for a positional value. */
  readonly key: string | null;
  readonly value: string;
}

const isKeyChar = (c: string): boolean => /[A-Za-z0-9_./-]/.test(c);

/** Cuts a filter's argument string into options (`av_opt_get_key_value` with `=` and `:`). */
export function parseFilterOptions(args: string): FilterOption[] {
  const options: FilterOption[] = [];
  let p = 0;
  while (p < args.length) {
    let q = skipSpace(args, p);
    const keyStart = q;
    while (q < args.length && isKeyChar(args[q] as string)) q++;
    const keyEnd = q;
    q = skipSpace(args, q);
    let key: string | null = null;
    if (args[q] === '=' && keyEnd > keyStart) {
      key = args.slice(keyStart, keyEnd);
      p = q + 1;
    }
    const value = getToken(args, p, ':');
    options.push({ key, value: value.token });
    p = value.end;
    if (p < args.length) p++; // the ':'
  }
  return options;
}
