/**
 * Stream mode (docs/WORKER.md "Stream mode"): which files a job's argv makes ffmpeg write for
 * Plex, as patterns of absolute Plex-side paths. The worker announces only such files, and the
 * cartridge accepts only such files: a name outside them, or outside the job's output folders,
 * never lands on the Plex machine. Light (node:path only): it is in the cartridge's bundle.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { isLoopbackUrl } from '../loopback.ts';

/** The output files a job may ship back. */
export interface OutputNames {
  /** True when the absolute Plex-side `path` is a file the argv's output patterns produce. */
  accepts(path: string): boolean;
  /** True when `path` matches a pattern without a number in it (`header`, an Optimize mp4). */
  isLiteral(path: string): boolean;
  /** The folders those files are in (absolute, Plex side). */
  readonly folders: readonly string[];
  /** The literal names themselves (absolute, Plex side): what may be followed while ffmpeg writes it. */
  readonly literals: readonly string[];
}

/** Options whose value names a file ffmpeg writes (besides the outputs themselves). */
const NAME_OPTIONS = new Set(['-segment_header_filename', '-init_seg_name', '-media_seg_name', '-hls_segment_filename', '-hls_fmp4_init_filename', '-segment_list']);
/** A value that looks like a file name: an extension of letters and digits, perhaps Plex's `.<pid>` of an Optimize in progress (`x.mp4.17581`). */
const FILE_LIKE = /^[^\n=;|*?<>]+\.[A-Za-z][A-Za-z0-9]{0,4}(?:\.\d{1,10})?$/;
const URL_LIKE = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** A regular expression for a name pattern: `%05d`, `%d`, and DASH's `$Number%05d$`/`$RepresentationID$` stand for numbers, `$ext$` for an extension. */
function patternOf(path: string): { re: RegExp; literal: boolean } {
  let literal = true;
  let source = '';
  for (let at = 0; at < path.length;) {
    const rest = path.slice(at);
    const printf = /^%0?\d*d/.exec(rest);
    const dash = /^\$(?:Number|RepresentationID|Bandwidth|Time)(?:%0\d+d)?\$/.exec(rest);
    const ext = /^\$ext\$/.exec(rest);
    const token = printf?.[0] ?? dash?.[0] ?? ext?.[0];
    if (token !== undefined) {
      literal = false;
      source += ext === null ? '\\d{1,12}' : '[A-Za-z0-9]{1,8}';
      at += token.length;
    } else {
      source += (path[at] as string).replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
      at += 1;
    }
  }
  return { re: new RegExp(`^${source}$`), literal };
}

/** The output names of `argv` run in `cwd` (both as the Plex machine sees them). */
export function outputNames(argv: readonly string[], cwd: string): OutputNames {
  const paths: string[] = [];
  const folders = new Set<string>();
  argv.forEach((value, index) => {
    const before = argv[index - 1];
    if (before === '-i' || value.startsWith('-') || URL_LIKE.test(value) || value.includes('\0')) return;
    if (!(NAME_OPTIONS.has(before ?? '') && /^[^\n=;|*?<>]+$/.test(value)) && !FILE_LIKE.test(value)) return;
    // A filter graph or a codec option is no file name, even with a dot in it.
    if (!isAbsolute(value) && /[\s:,'"\[\]]/.test(value)) return;
    // An option's value that merely looks like a file (`-preset x.y`) costs nothing: it is only a name Plex may receive.
    if (value.split('/').includes('..')) return;
    const path = isAbsolute(value) ? resolve(value) : resolve(cwd, value);
    paths.push(path);
    folders.add(dirname(path));
  });
  // The patterns are made on the first match: a play's storage choice asks only for the folders.
  let patterns: { re: RegExp; literal: boolean }[] | undefined;
  const match = (path: string) => (isAbsolute(path) && resolve(path) === path ? (patterns ??= paths.map(patternOf)).find((p) => p.re.test(path)) : undefined);
  return {
    accepts: (path) => match(path) !== undefined,
    isLiteral: (path) => match(path)?.literal === true,
    folders: [...folders],
    get literals() {
      patterns ??= paths.map(patternOf);
      return paths.filter((_, index) => patterns?.[index]?.literal === true);
    },
  };
}

/** The argv indices of the `-i` values that are files (not URLs): what stream mode serves. */
export function fileInputIndices(argv: readonly string[]): number[] {
  const indices: number[] = [];
  argv.forEach((value, index) => {
    if (argv[index - 1] === '-i' && (!URL_LIKE.test(value) || value.startsWith('file:'))) indices.push(index);
  });
  return indices;
}

/** The absolute Plex-side path of input value `value` (a `file:` prefix dropped) in `cwd`. */
export function inputPath(value: string, cwd: string): string {
  const path = value.startsWith('file:') ? value.slice('file:'.length) : value;
  return isAbsolute(path) ? resolve(path) : resolve(cwd, path);
}

/** The argv indices of the `-i` values that are http(s) URLs on the Plex machine's loopback (Plex's own `http://127.0.0.1:32400/…`): the cartridge fetches them for the worker. */
export function loopbackInputIndices(argv: readonly string[]): number[] {
  const indices: number[] = [];
  argv.forEach((value, index) => {
    if (argv[index - 1] === '-i' && /^https?:\/\//i.test(value) && isLoopbackUrl(value)) indices.push(index);
  });
  return indices;
}
