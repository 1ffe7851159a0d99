/** Checks a generated file against its recipe with ffprobe. */
import { probeMedia, streamFacts, type StreamFacts } from './probe.ts';
import type { ExpectedStream, MediaRecipe } from './media-recipes.ts';

/** What ffprobe found in a test file (kept in the cache manifest). */
export interface MediaFacts {
  file: string;
  size: number;
  formatName: string;
  /** Seconds; 0 when the format has none (subtitles). */
  duration: number;
  streams: StreamFacts[];
}

/** Probes `path` and throws a clear error listing every way it differs from `recipe`. */
export async function checkMedia(path: string, recipe: MediaRecipe): Promise<MediaFacts> {
  const probe = await probeMedia(path);
  const facts: MediaFacts = {
    file: recipe.file,
    size: Number(probe.format.size ?? 0),
    formatName: probe.format.format_name ?? '',
    duration: Number(probe.format.duration ?? 0) || 0,
    streams: probe.streams.map(streamFacts),
  };
  const problems: string[] = [];
  if (!facts.formatName.includes(recipe.format)) problems.push(`format ${facts.formatName}, expected ${recipe.format}`);
  if (recipe.duration !== undefined && Math.abs(facts.duration - recipe.duration) > 0.5) {
    problems.push(`duration ${facts.duration} s, expected ${recipe.duration} s`);
  }
  if (facts.streams.length !== recipe.streams.length) problems.push(`${facts.streams.length} streams, expected ${recipe.streams.length}`);
  recipe.streams.forEach((want, i) => problems.push(...streamProblems(i, want, facts.streams[i])));
  if (problems.length > 0) throw new Error(`test media ${recipe.file} is not as its recipe says:\n  ${problems.join('\n  ')}`);
  return facts;
}

function streamProblems(index: number, want: ExpectedStream, got: StreamFacts | undefined): string[] {
  if (got === undefined) return [`stream ${index} missing (expected ${want.type} ${want.codec})`];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(want) as [keyof ExpectedStream, unknown][]) {
    const actual = got[key];
    const ok = key === 'channelLayout' ? String(actual ?? '').startsWith(String(value)) : actual === value;
    if (!ok) problems.push(`stream ${index} ${key} ${String(actual)}, expected ${String(value)}`);
  }
  return problems;
}
