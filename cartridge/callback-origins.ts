/** The Plex origins an argv calls back to: the only places the cartridge replays requests to. */
import { isLoopbackUrl } from '../core/loopback.ts';

const URL_IN_TOKEN = /https?:\/\/[^/?#\s'"|,;\\]*/gi;

/**
 * Every loopback `scheme://authority` written in the argv (user info dropped, scheme lowercased),
 * spelled as the worker names a callback's `origin` on the link.
 */
export function callbackOrigins(argv: readonly string[]): Set<string> {
  const origins = new Set<string>();
  for (const token of argv) {
    for (const [found] of token.matchAll(URL_IN_TOKEN)) {
      const [scheme, rest] = found.split('://') as [string, string];
      const origin = `${scheme.toLowerCase()}://${rest.replace(/^.*@/s, '')}`;
      if (isLoopbackUrl(`${origin}/`)) origins.add(origin);
    }
  }
  return origins;
}
