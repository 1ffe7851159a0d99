/** Plex's `/status/sessions` XML to the sessions the shaper needs: who, in what state, how fast. */
import { parseAddress } from './address.ts';

/** One playing (or paused, buffering) session as PMS reports it. */
export interface PlexSession {
  /** `Session id=`, else the item's `sessionKey`. */
  readonly id: string;
  /** The client's address (`Player address=`), canonical. */
  readonly address: string;
  /** `Player state=`: `playing`, `paused`, `buffering` … */
  readonly state: string;
  /** `Session bandwidth=` in kbit/s, or null when PMS gives none. */
  readonly bandwidthKbps: number | null;
  /** `Session location=`: `lan` or `wan`, when given. */
  readonly location: string | null;
  /** `Player title=` (the device name), for status. */
  readonly player: string | null;
}

// The session items PMS lists: movies and episodes are Video, music Track, photos Photo.
const ITEM_TAGS = new Set(['Video', 'Track', 'Photo', 'Episode', 'Movie']);

/**
 * Parses the XML (MediaContainer > Video|Track|Photo > Player, Session). A small tag scanner,
 * not a full XML parser: PMS's output is machine-written, attributes double-quoted.
 */
export function parseSessionsXml(xml: string): PlexSession[] {
  const sessions: PlexSession[] = [];
  const tagRe = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
  let depth = 0;
  let item: { attrs: Record<string, string>; player?: Record<string, string>; session?: Record<string, string> } | null = null;
  let itemDepth = -1;
  for (const match of xml.matchAll(tagRe)) {
    const [, closing, name, attrText, selfClosing] = match as unknown as [string, string, string, string, string];
    if (closing === '/') {
      depth--;
      if (item !== null && depth === itemDepth) {
        const session = toSession(item);
        if (session !== null) sessions.push(session);
        item = null;
      }
      continue;
    }
    const attrs = parseAttributes(attrText);
    if (item === null && depth === 1 && ITEM_TAGS.has(name)) {
      item = { attrs };
      itemDepth = depth;
      if (selfClosing === '/') {
        item = null;
        continue;
      }
    } else if (item !== null && depth === itemDepth + 1) {
      if (name === 'Player') item.player = attrs;
      if (name === 'Session') item.session = attrs;
    }
    if (selfClosing !== '/') depth++;
  }
  return sessions;
}

function toSession(item: { attrs: Record<string, string>; player?: Record<string, string>; session?: Record<string, string> }): PlexSession | null {
  const address = parseAddress(item.player?.address ?? '');
  if (address === null) return null;
  const bandwidth = Number(item.session?.bandwidth);
  return {
    id: item.session?.id ?? item.attrs.sessionKey ?? address.text,
    address: address.text,
    state: item.player?.state ?? 'playing',
    bandwidthKbps: item.session?.bandwidth !== undefined && Number.isFinite(bandwidth) ? bandwidth : null,
    location: item.session?.location ?? null,
    player: item.player?.title ?? null,
  };
}

function parseAttributes(text: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of text.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    attrs[m[1] as string] = unescapeXml(m[2] ?? m[3] ?? '');
  }
  return attrs;
}

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, entity: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (entity[0] === '#') return String.fromCodePoint(entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : Number(entity.slice(1)));
    return named[entity.toLowerCase()] ?? '';
  });
}
