/** Whether a command line needs the network: only a plain URL of a network protocol does. */

/** `scheme://` anywhere in a value, the scheme possibly nested (`concat:http://`, `crypto+https://`, `cache:tcp://`). */
const URL_RE = /([a-z][a-z0-9+.-]*):\/\//gi;

/**
 * Null when no argument names a network URL (then the command runs with a private network
 * namespace holding only its own loopback), else a short reason naming the first one. Escaped
 * forms (`http\:\/\/` in a filter argument) do not count: ffmpeg's own escaping never reaches a
 * socket without the network, so missing them here fails closed.
 */
export function networkNeed(args: readonly string[]): string | null {
  for (const [index, arg] of args.entries()) {
    for (const match of arg.matchAll(URL_RE)) {
      const scheme = (match[1] as string).toLowerCase().split('+').pop() as string;
      if (scheme !== 'file') return `argument ${index} is a ${scheme}:// URL`;
    }
  }
  return null;
}
