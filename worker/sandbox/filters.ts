/** Checks a filter graph: no filter that opens inputs or talks to the outside, and file arguments inside the roots. */
import { PLEX_SIDE_FILTERS } from './option-rules.ts';
import { checkReadPath, checkWritePath, forbid, pathWords, type PathPolicy } from './path-policy.ts';
import { FFMPEG_PROTOCOLS } from './urls.ts';

/** Filters refused whatever their arguments: they open other inputs, run commands or load plugins. */
const FORBIDDEN_FILTERS: ReadonlyMap<string, string> = new Map([
  ['movie', 'opens another input'],
  ['amovie', 'opens another input'],
  ['sendcmd', 'reads commands from a file'],
  ['asendcmd', 'reads commands from a file'],
  ['zmq', 'listens on the network'],
  ['azmq', 'listens on the network'],
  ['frei0r', 'loads a plugin library'],
  ['frei0r_src', 'loads a plugin library'],
  ['ladspa', 'loads a plugin library'],
  ['lv2', 'loads a plugin library'],
]);

/** Filters whose file arguments are written, not read. */
const WRITING_FILTERS: ReadonlySet<string> = new Set([
  'psnr', 'ssim', 'vidstabdetect', 'signature', 'metadata', 'ametadata', 'libvmaf', 'vmafmotion', 'identity',
]);

/**
 * Filter graphs escape with `\` and quote with `'` at two levels; the check reads the graph with
 * both removed, which can only make it find more (never fewer) paths and protocols than ffmpeg.
 */
function unescape(text: string): string {
  return text.replace(/\\(.)/gs, '$1').replaceAll("'", '');
}

/** The filters of a graph: name and unescaped arguments, labels stripped. */
export function listFilters(graph: string): { name: string; args: string }[] {
  // Split on `,`/`;` outside quotes and escapes; then drop `[label]`s around each filter.
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < graph.length; i += 1) {
    const char = graph[i] as string;
    if (char === '\\' && i + 1 < graph.length) {
      current += char + (graph[i + 1] as string);
      i += 1;
    } else if (char === "'") {
      quoted = !quoted;
      current += char;
    } else if (!quoted && (char === ',' || char === ';')) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts
    .map((part) => unescape(part).trim().replace(/^(\s*\[[^\]]*\])+/, '').replace(/(\[[^\]]*\]\s*)+$/, '').trim())
    .filter((part) => part !== '')
    .map((part) => {
      // ffmpeg unescapes filter names too (`mov\ie` is `movie`), hence matching on the unescaped text.
      const match = /^([^=@\s]+)(?:@[^=]*)?(?:=(.*))?$/s.exec(part);
      return { name: (match?.[1] ?? part).toLowerCase(), args: match?.[2] ?? '' };
    });
}

const FORBIDDEN_NAME = new RegExp(`(?:^|[\\];,\\s])(${[...FORBIDDEN_FILTERS.keys()].join('|')})(?:@[^=,;\\s]*)?(?:=|$|[,;[\\s])`, 'i');

/**
 * Throws 403 for a forbidden filter, a protocol, or a file argument outside the roots. With
 * `plexArgv` (Plex's argv, before translation) the fonts of Plex-private filters are not checked.
 */
export function checkFilterGraph(policy: PathPolicy, option: string, graph: string, cwd: string, plexArgv = false): void {
  // Searched in the whole graph rather than per filter, so no way of splitting it can hide one.
  const forbidden = FORBIDDEN_NAME.exec(unescape(graph))?.[1]?.toLowerCase();
  if (forbidden !== undefined) throw forbid(`filter "${forbidden}" in ${option} is not allowed: it ${FORBIDDEN_FILTERS.get(forbidden)}`);
  for (const { name, args } of listFilters(graph)) {
    for (const match of args.matchAll(/(?:^|[^A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*):/g)) {
      const scheme = (match[1] as string).toLowerCase();
      if (FFMPEG_PROTOCOLS.has(scheme)) throw forbid(`filter "${name}" in ${option} names a "${scheme}:" URL; filters may only use files`);
    }
    if (plexArgv && PLEX_SIDE_FILTERS.has(name)) continue;
    const check = WRITING_FILTERS.has(name) ? checkWritePath : checkReadPath;
    for (const word of pathWords(args)) check(policy, `filter "${name}" in ${option}: file`, word, cwd);
  }
}
