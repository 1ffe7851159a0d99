/** ffmpeg stream specifiers: matching output streams (`-codec:1`, `-b:v`) and input streams (`0:s:0`). */
import { codecKind } from './codecs.ts';
import type { PlexInput, StreamKind, StreamRef } from './types.ts';

const TYPE_LETTERS: Readonly<Record<string, StreamKind>> = { v: 'video', V: 'video', a: 'audio', s: 'subtitle', d: 'data', t: 'data' };

/** An output stream as specifiers see it. */
export interface SpecTarget {
  readonly index: number;
  readonly kind: StreamKind;
  /** Index among the output's streams of the same kind. */
  readonly typeIndex: number;
}

/** True when an output-side stream specifier (`0`, `v`, `a:0`, `p:1:v`, none) selects `stream`. */
export function matchesStream(spec: string | null, stream: SpecTarget): boolean {
  if (spec === null || spec === '') return true;
  const parts = spec.split(':');
  let first = parts[0] as string;
  if (first === 'p' && parts.length >= 2) {
    parts.splice(0, 2);
    if (parts.length === 0) return true;
    first = parts[0] as string;
  }
  if (/^\d+$/.test(first)) return Number(first) === stream.index;
  const kind = TYPE_LETTERS[first];
  if (kind !== undefined) {
    if (kind !== stream.kind) return false;
    const next = parts[1];
    return next === undefined || !/^\d+$/.test(next) || Number(next) === stream.typeIndex;
  }
  return first === 'u';
}

/** Parses an input stream reference (`0:1`, `1:s:0`, `0:#0x01`, `0`, `0:a:0?`); null for anything else. */
export function parseStreamRef(text: string): StreamRef | null {
  const match = /^(\d+)(?::(.*?))?\??$/.exec(text.trim());
  if (!match) return null;
  return { input: Number(match[1]), spec: match[2] ?? '' };
}

/** The kind a reference names by itself (`0:v:0`), by its sidecar file, or by its forced decoder. */
export function refKind(ref: StreamRef | null, inputs: readonly PlexInput[]): StreamKind {
  if (ref === null) return 'unknown';
  const letter = TYPE_LETTERS[ref.spec.split(':')[0] ?? ''];
  if (letter !== undefined) return letter;
  const input = inputs[ref.input];
  if (input === undefined) return 'unknown';
  if (input.isSidecarSubtitle) return 'subtitle';
  const exact = input.decoders.findLast((d) => d.spec === ref.spec);
  return exact ? codecKind(exact.codec) : 'unknown';
}

/** The source codec of `ref` from its input's forced decoders, for a stream of `kind`. */
export function decoderFor(ref: StreamRef | null, kind: StreamKind, inputs: readonly PlexInput[]): string | null {
  if (ref === null) return null;
  const decoders = inputs[ref.input]?.decoders ?? [];
  const exact = decoders.findLast((d) => d.spec === ref.spec);
  if (exact) return exact.codec;
  const letter = ref.spec.split(':')[0] ?? '';
  const wanted = TYPE_LETTERS[letter] ?? kind;
  if (wanted === 'unknown') return null;
  const byType = decoders.findLast((d) => d.spec !== null && TYPE_LETTERS[d.spec] === wanted);
  if (byType) return byType.codec;
  // Only trust a decoder named for another stream index when the ref does not name a different
  // index itself and it is the one decoder of that kind (`-codec:0 av1` for default selection).
  if (/^\d+$/.test(ref.spec)) return null;
  const sameKind = decoders.filter((d) => codecKind(d.codec) === wanted);
  return sameKind.length === 1 ? (sameKind[0]?.codec ?? null) : null;
}
