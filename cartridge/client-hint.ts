/** Which Plex client asked, when Plex's session id says so (e.g. `875a95c7bc0072ef-com-plexapp-android`). */

const PRODUCTS: Readonly<Record<string, string>> = {
  'com-plexapp-android': 'Android',
};

// Plex names the session folder `plex-transcode-<session id>-<job uuid>` and puts the same
// session id in its callback paths (`/transcode/session/<session id>/<job uuid>/…`). Clients
// that send a product identifier (Plex for Android does) end the session id with it.
const PRODUCT_IN_SESSION = /-(com-plexapp-[a-z0-9-]+?)(?:-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$/i;

/** The client's name from the session's cwd or callback paths, or null when Plex did not say. */
export function clientHint(cwd: string, callbackUrls: readonly { url: string }[]): string | null {
  const candidates = [cwd.split('/').pop() ?? ''];
  for (const { url } of callbackUrls) {
    const match = /\/transcode\/session\/([^/?]+)/.exec(url);
    if (match?.[1]) candidates.push(match[1]);
  }
  for (const candidate of candidates) {
    const product = PRODUCT_IN_SESSION.exec(candidate)?.[1]?.toLowerCase();
    if (product) return PRODUCTS[product] ?? product;
  }
  return null;
}
