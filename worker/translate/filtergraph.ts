// libavfilter's graph syntax: chains separated by `;`, filters by `,`, pads as `[label]`.
// Filter arguments keep their raw (graph-escaped) text so untouched filters round-trip byte-exact.
import { PlexBeamError } from '../../core/errors.ts';

/** One filter with the pad labels written on it. */
export interface FilterNode {
  inputs: string[];
  name: string;
  /** Arguments exactly as written (graph-level escaping intact), or null for none. */
  rawArgs: string | null;
  outputs: string[];
}

/** A graph: chains of filters. */
export type FilterGraph = FilterNode[][];

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\n' || c === '\t' || c === '\r';

/** A graph the translation cannot read: the worker refuses the job (422) and the cartridge runs it locally. */
const unreadable = (what: string): PlexBeamError => new PlexBeamError('TRANSLATE_UNSUPPORTED', `cannot parse filtergraph: ${what}`);

/** Parses a `-filter_complex` / `-vf` string. Throws TRANSLATE_UNSUPPORTED on unbalanced labels. */
export function parseFiltergraph(text: string): FilterGraph {
  const graph: FilterGraph = [];
  let chain: FilterNode[] = [];
  let i = 0;
  const skipSpace = (): void => { while (isSpace(text[i])) i++; };
  const readLabels = (): string[] => {
    const labels: string[] = [];
    skipSpace();
    while (text[i] === '[') {
      const end = text.indexOf(']', i);
      if (end < 0) throw unreadable(`unterminated pad label at ${i}`);
      labels.push(text.slice(i + 1, end));
      i = end + 1;
      skipSpace();
    }
    return labels;
  };
  while (i < text.length) {
    const inputs = readLabels();
    const nameStart = i;
    while (i < text.length && !'=,;['.includes(text[i] ?? '') && !isSpace(text[i])) i++;
    const name = text.slice(nameStart, i);
    skipSpace();
    let rawArgs: string | null = null;
    if (text[i] === '=') {
      const argStart = ++i;
      i = scanArgsEnd(text, i);
      rawArgs = text.slice(argStart, i).trimEnd();
    }
    const outputs = readLabels();
    chain.push({ inputs, name, rawArgs, outputs });
    const sep = text[i];
    i++;
    if (sep === ';' || sep === undefined) { graph.push(chain); chain = []; }
    else if (sep !== ',') throw unreadable(`unexpected '${sep}' at ${i - 1}`);
  }
  if (chain.length > 0) graph.push(chain);
  return graph;
}

/** Index just past a graph-level token: stops at an unescaped, unquoted `[ ] , ;`. */
function scanArgsEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') i += 2;
    else if (c === "'") { const close = text.indexOf("'", i + 1); i = close < 0 ? text.length : close + 1; }
    else if (c === '[' || c === ']' || c === ',' || c === ';') break;
    else i++;
  }
  return Math.min(i, text.length);
}

/** Writes a graph back in libavfilter syntax. */
export function serializeFiltergraph(graph: FilterGraph): string {
  return graph.map((chain) => chain.map((f) => {
    const ins = f.inputs.map((l) => `[${l}]`).join('');
    const outs = f.outputs.map((l) => `[${l}]`).join('');
    return `${ins}${f.name}${f.rawArgs === null ? '' : `=${f.rawArgs}`}${outs}`;
  }).join(',')).join(';');
}

/** av_get_token(): removes one level of `\` escaping and `'` quoting, trims unescaped blanks. */
export function unescapeToken(s: string): string {
  let out = '';
  let keep = 0;
  let i = 0;
  while (isSpace(s[i])) i++;
  while (i < s.length) {
    const c = s[i] ?? '';
    if (c === '\\' && i + 1 < s.length) { out += s[i + 1]; i += 2; keep = out.length; }
    else if (c === "'") {
      const close = s.indexOf("'", i + 1);
      const end = close < 0 ? s.length : close;
      out += s.slice(i + 1, end); i = end + 1; keep = out.length;
    } else { out += c; i++; if (!isSpace(c)) keep = out.length; }
  }
  return out.slice(0, keep);
}

/** Escapes text so that one av_get_token() pass with these separators yields it back. */
export function escapeToken(s: string, specials: string): string {
  let out = '';
  for (const c of s) out += c === '\\' || c === "'" || specials.includes(c) ? `\\${c}` : c;
  return out;
}

/** Graph-level escaping of a whole argument string. */
export const escapeForGraph = (args: string): string => escapeToken(args, '[],;');
