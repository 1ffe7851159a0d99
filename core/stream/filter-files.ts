/**
 * Stream mode (docs/WORKER.md "Stream mode"): the files a job's filter graphs read by name — a
 * sidecar subtitle in `subtitles=`/`ass=`, their `fontsdir=` folder, a `drawtext` font, a LUT —
 * as absolute Plex-side paths, so the cartridge can send exactly those with the job. Plex's own
 * `inlineass` is left out: the worker's translation replaces it and uses the worker's fonts.
 */
import { isAbsolute, resolve } from 'node:path';
import { describeOption, FILE_FILTERS, isOptionToken, parseFilterOptions, parseGraph } from '../ffmpeg-grammar/index.ts';

/** One file (or, for `fontsdir`, folder) a filter of the argv reads. */
export interface FilterFile {
  path: string;
  folder: boolean;
}

/** Whether `token` is an option whose value is a filter graph, as the grammar describes it (`-vf`, `-filter:v`, `-filter_complex` …). */
const takesGraph = (token: string | undefined) => token !== undefined && isOptionToken(token) && describeOption(token).kind === 'filtergraph';
const URL_LIKE = /^[A-Za-z0-9+.-]*:/;

/** The files the filter graphs of `argv` (run in `cwd`, Plex side) read by name. */
export function filterFiles(argv: readonly string[], cwd: string): FilterFile[] {
  const found = new Map<string, FilterFile>();
  argv.forEach((graph, index) => {
    if (!takesGraph(argv[index - 1])) return;
    const parsed = parseGraph(graph);
    if (parsed.error !== null) return;
    for (const { name, args } of parsed.filters) {
      const filter = FILE_FILTERS.get(name);
      if (filter === undefined || args === null) continue;
      let position = 0;
      for (const { key, value } of parseFilterOptions(args)) {
        const named = key ?? filter.positional[position++];
        if (named === undefined || filter.files[named] !== 'read' || value === '' || URL_LIKE.test(value)) continue;
        const path = isAbsolute(value) ? resolve(value) : resolve(cwd, value);
        found.set(path, { path, folder: named === 'fontsdir' });
      }
    }
  });
  return [...found.values()];
}
