// Stream specifiers (`0`, `v`, `a:1`, `s:0`, `#0x01`) resolved against ffprobe facts.
import type { ProbedInput, ProbedStream } from './types.ts';

const TYPES: Record<string, string> = { v: 'video', V: 'video', a: 'audio', s: 'subtitle', d: 'data', t: 'attachment' };

/** Streams of `input` matched by `spec` (null spec: all); empty when unknown. */
export function matchStreams(input: ProbedInput | undefined, spec: string | null): ProbedStream[] {
  if (!input) return [];
  if (spec === null || spec === '') return [...input.streams];
  if (/^\d+$/.test(spec)) return input.streams.filter((s) => s.index === Number(spec));
  const m = /^([vVasdt])(?::(\d+))?$/.exec(spec);
  if (!m || !m[1]) return [];
  const ofType = input.streams.filter((s) => s.codec_type === TYPES[m[1] ?? '']);
  return m[2] === undefined ? ofType : ofType.slice(Number(m[2]), Number(m[2]) + 1);
}

/** Index of a stream among its file's subtitle streams (the `si` of `subtitles=`). */
export function subtitleOrdinal(input: ProbedInput | undefined, spec: string): number | null {
  if (/^s(:\d+)?$/.test(spec)) return Number(spec.split(':')[1] ?? 0);
  const [stream] = matchStreams(input, spec);
  if (!stream || !input) return null;
  return input.streams.filter((s) => s.codec_type === 'subtitle').indexOf(stream);
}

/** Parses an ffmpeg time (`1816`, `30.5`, `00:30:16.000`, `1816ms`) into seconds. */
export function parseTime(text: string | undefined): number | null {
  if (text === undefined) return null;
  const t = text.trim();
  let m = /^(-?[\d.]+)(ms|us|s)?$/.exec(t);
  if (m && m[1]) return Number(m[1]) / (m[2] === 'ms' ? 1e3 : m[2] === 'us' ? 1e6 : 1);
  m = /^(-)?(?:(\d+):)?(\d+):([\d.]+)$/.exec(t);
  if (!m) return null;
  const seconds = Number(m[2] ?? 0) * 3600 + Number(m[3]) * 60 + Number(m[4]);
  return m[1] ? -seconds : seconds;
}
