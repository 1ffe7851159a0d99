/**
 * Which Plex client asked, from what Plex passes the transcoder. Plex gives the transcoder no
 * client name as such: only the session id (in the cwd, the callback paths and the EAE prefix)
 * and the callback URLs' query strings. docs/ANALYZE.md says what that makes knowable.
 */

/** Product ids clients put at the end of their session id, and the product's name (X-Plex-Product). */
const PRODUCTS: Readonly<Record<string, string>> = {
  'com-plexapp-android': 'Plex for Android',
};

// Plex names the session folder `plex-transcode-<session id>-<job uuid>` and puts the same
// session id in its callback paths (`/transcode/session/<session id>/<job uuid>/…`). Clients
// that send a product identifier (Plex for Android does) end the session id with it.
const PRODUCT_IN_SESSION = /-(com-plexapp-[a-z0-9-]+?)(?:-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$/i;
/** Query parameters that name the client, most telling first (none seen in captures so far). */
const QUERY_NAMES = ['X-Plex-Product', 'X-Plex-Platform', 'X-Plex-Client-Identifier'] as const;

/** The client's name from the session's cwd, callback URLs or argv, or null when Plex did not say. */
export function clientHint(cwd: string, callbackUrls: readonly { url: string }[], argv: readonly string[] = []): string | null {
  const fromQuery = queryHint(callbackUrls);
  if (fromQuery !== null) return fromQuery;
  const candidates = [cwd.split('/').pop() ?? ''];
  for (const { url } of callbackUrls) {
    const match = /\/transcode\/session\/([^/?]+)/.exec(url);
    if (match?.[1]) candidates.push(match[1]);
  }
  // `-eae_prefix:1 <session id>_`: EasyAudioEncoder's file names start with the session id.
  argv.forEach((arg, i) => {
    const next = argv[i + 1];
    if (/^-eae_prefix(:|$)/.test(arg) && next !== undefined) candidates.push(next.replace(/_$/, ''));
  });
  for (const candidate of candidates) {
    const product = productOf(candidate);
    if (product !== null) return product;
  }
  return null;
}

/** The product a session id or client identifier ends with, by its name when known. */
function productOf(id: string): string | null {
  const product = PRODUCT_IN_SESSION.exec(id)?.[1]?.toLowerCase();
  return product ? (PRODUCTS[product] ?? product) : null;
}

/** X-Plex-Product (or Platform) from a callback URL's query, or the product in its client identifier. */
function queryHint(callbackUrls: readonly { url: string }[]): string | null {
  for (const name of QUERY_NAMES) {
    for (const { url } of callbackUrls) {
      const query = url.indexOf('?');
      if (query < 0) continue;
      const value = new URLSearchParams(url.slice(query + 1)).get(name)?.trim();
      if (!value) continue;
      if (name !== 'X-Plex-Client-Identifier') return value.slice(0, 80);
      const product = productOf(value);
      if (product !== null) return product;
    }
  }
  return null;
}
