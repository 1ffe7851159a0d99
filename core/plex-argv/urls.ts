/**
 * Finds URLs in an argv. Loopback http(s) URLs (core/loopback.ts: 127/8, localhost, [::1] …) are
 * callbacks to Plex that the cartridge must relay; every other URL (a LAN progress URL, a live TV
 * input) is remote.
 */
import { isLoopbackUrl } from '../loopback.ts';
import type { ArgvUrl } from './fact-types.ts';
import type { TokenizedArgv } from './tokenize.ts';

const WHOLE_URL = /^[a-z][a-z0-9+.-]*:\/\//i;
const EMBEDDED_URL = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"|,;\\]+/gi;

export { isLoopbackUrl };

const ROLE_BY_OPTION: Readonly<Record<string, ArgvUrl['role']>> = {
  progressurl: 'progress',
  segment_list: 'manifest',
  manifest_name: 'manifest',
  i: 'input',
};

/** What a URL's path says it is for: Plex's `…/progress` and `…/manifest` endpoints. */
export function urlPathRole(url: string): 'progress' | 'manifest' | 'other' {
  const path = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').split(/[?#]/)[0] ?? '';
  if (/\/progress(\/|$)/.test(path)) return 'progress';
  if (/\/manifest(\/|$)/.test(path)) return 'manifest';
  return 'other';
}

/** What a URL is for, from the option holding it (null: an output target), else from its path. */
export function urlRole(url: string, option: string | null): ArgvUrl['role'] {
  if (option === null) return 'output';
  return ROLE_BY_OPTION[option] ?? urlPathRole(url);
}

/** Every URL in the argv, split into loopback callbacks and remote URLs. */
export function findUrls(argv: readonly string[], tokens: TokenizedArgv): { callbacks: ArgvUrl[]; remote: ArgvUrl[] } {
  const callbacks: ArgvUrl[] = [];
  const remote: ArgvUrl[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = String(argv[i]);
    if (!token.includes('://') || tokens.roles[i] === 'option') continue;
    const owner = tokens.owners[i];
    const option = tokens.roles[i] === 'output' ? null : (owner?.base ?? null);
    const found = WHOLE_URL.test(token)
      ? [{ url: token, embedded: false }]
      : [...token.matchAll(EMBEDDED_URL)].map((m) => ({ url: m[0], embedded: true }));
    for (const { url, embedded } of found) {
      const entry: ArgvUrl = { url, option, argvIndex: i, role: urlRole(url, option), embedded };
      (isLoopbackUrl(url) ? callbacks : remote).push(entry);
    }
  }
  return { callbacks, remote };
}
