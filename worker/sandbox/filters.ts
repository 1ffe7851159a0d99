/**
 * Checks a filter graph against the allow-list: read exactly as ffmpeg reads it (both escaping
 * levels, core/ffmpeg-grammar/filter-graph.ts), every filter on the list, and every file option
 * a plain path inside the roots for the access it gets (relative ones against the job's cwd,
 * symlinks followed).
 */
import {
  FILE_FILTERS, FILTERS, PLEX_FILTERS, parseFilterOptions, parseGraph, type FileFilter,
} from '../../core/ffmpeg-grammar/index.ts';
import { checkReadFile, checkWritePath, forbid, looksLikeUrl, type FileAccess, type PathPolicy } from './path-policy.ts';

/** The filters of a graph as ffmpeg instantiates them: name and the argument string each receives. */
export function listFilters(graph: string): { name: string; args: string }[] {
  return parseGraph(graph).filters.map((f) => ({ name: f.name, args: f.args ?? '' }));
}

/**
 * Throws 403 for a filter not on the list, or a file option that is a URL or outside the roots
 * (but a stream-mode job's own input URL, with `streamInputBase`); returns the files the graph opens. With `plexArgv` (Plex's argv, before translation) Plex's own
 * filters pass unchecked: the translation replaces them, and what runs is checked again.
 */
export function checkFilterGraph(policy: PathPolicy, option: string, graph: string, cwd: string, plexArgv = false, streamInputBase?: string): FileAccess[] {
  const parsed = parseGraph(graph);
  if (parsed.error !== null) {
    // Plex's graph goes to the translation, which refuses what it cannot read (422); what runs must parse.
    if (plexArgv) return [];
    throw forbid(`${option}: the filter graph does not parse (${parsed.error})`);
  }
  const touched: FileAccess[] = [];
  for (const { name, args } of parsed.filters) {
    if (PLEX_FILTERS.has(name)) {
      if (plexArgv) continue;
      throw forbid(`filter "${name}" in ${option} is Plex's own; stock ffmpeg cannot run it`);
    }
    if (!FILTERS.has(name)) throw forbid(`filter "${name}" in ${option} is not on the allow-list`);
    const files = FILE_FILTERS.get(name);
    if (files === undefined || args === null) continue;
    for (const { key, value, access } of fileOptions(name, files, args, option)) {
      const what = `filter "${name}" in ${option}: ${key}`;
      // Stream mode: the media's own input URL, for a burn-in of its embedded subtitles (Plex's
      // inlineass, translated to subtitles=): exactly one of this job's inputs, nothing else.
      if (access === 'read' && key !== 'fontsdir' && isStreamInput(value, streamInputBase)) continue;
      if (looksLikeUrl(value)) {
        throw forbid(`${what} names a "${/^[^:,]*/.exec(value)?.[0] ?? ''}:" URL; filters may only use files inside the allowed folders`);
      }
      if (access === 'write') touched.push(checkWritePath(policy, what, value, cwd));
      else touched.push(checkReadFile(policy, what, value, cwd, false, key === 'fontsdir'));
    }
  }
  return touched;
}

/** True when `value` is exactly one of a stream-mode job's input URLs (`<streamInputBase><n>`). */
export function isStreamInput(value: string, streamInputBase: string | undefined): boolean {
  return streamInputBase !== undefined && value.startsWith(streamInputBase) && /^\d{1,4}$/.test(value.slice(streamInputBase.length));
}

/** The file options of one filter's arguments, positional ones named by the filter's option order. */
function fileOptions(name: string, filter: FileFilter, args: string, option: string): { key: string; value: string; access: 'read' | 'write' }[] {
  const found: { key: string; value: string; access: 'read' | 'write' }[] = [];
  let position = 0;
  let keyed = false;
  for (const { key, value } of parseFilterOptions(args)) {
    if (key === null && keyed) throw forbid(`filter "${name}" in ${option}: a positional argument after a named one`);
    const named = key ?? filter.positional[position++];
    if (key !== null) keyed = true;
    const access = named === undefined ? undefined : filter.files[named];
    if (access !== undefined && named !== undefined) found.push({ key: named, value, access });
  }
  return found;
}
