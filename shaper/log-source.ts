/**
 * The fallback source: follows `Plex Media Server.log` for the timeline reports players send
 * while they play (`Request: [ADDR:PORT (WAN)] GET /:/timeline?…&state=playing…`). Rotation
 * (PMS renames the log and starts a new one) is noticed by inode or by the file shrinking.
 */
import { open, stat } from 'node:fs/promises';
import { parseAddress } from './address.ts';
import type { SessionsSource } from './sessions-source.ts';
import type { PlexSession } from './sessions-xml.ts';

/** A client without a timeline report for this long counts as gone, in milliseconds (players report every ~10 s). */
const SILENCE_MS = 30_000;
/** How much of an existing log is read on the first call, in bytes, to find players already playing. */
const SEED_BYTES = 1024 * 1024;

/** One line's timeline report, or null when the line is not one. */
export function parseTimelineLine(line: string): { address: string; state: string; sessionKey: string | null } | null {
  const m = /Request: \[(\[[0-9a-fA-F:.]+\]|[0-9a-fA-F:.]+?):\d+ \([^)]*\)\] (?:GET|POST|PUT) \/:\/timeline\?(\S*)/.exec(line);
  if (m === null) return null;
  const address = parseAddress(m[1] as string);
  const query = new URLSearchParams(m[2] as string);
  const state = query.get('state');
  if (address === null || state === null) return null;
  return { address: address.text, state, sessionKey: query.get('ratingKey') ?? query.get('key') };
}

/** Creates the follower; each `read()` consumes what was appended since the last one. */
export function createPlexLogSource(options: { path: string; now?: () => number }): SessionsSource {
  const now = options.now ?? Date.now;
  const clients = new Map<string, { state: string; at: number; key: string | null }>();
  let inode: number | null = null;
  let offset = 0;
  let partial = '';

  async function consume(): Promise<void> {
    const info = await stat(options.path);
    if (inode === null) offset = Math.max(0, info.size - SEED_BYTES);
    else if (info.ino !== inode || info.size < offset) [offset, partial] = [0, ''];
    inode = info.ino;
    if (info.size <= offset) return;
    const file = await open(options.path, 'r');
    try {
      const buffer = Buffer.alloc(info.size - offset);
      const { bytesRead } = await file.read(buffer, 0, buffer.length, offset);
      offset += bytesRead;
      const lines = (partial + buffer.subarray(0, bytesRead).toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      const at = now();
      for (const line of lines) {
        const report = parseTimelineLine(line);
        if (report === null) continue;
        if (report.state === 'stopped') clients.delete(report.address);
        else clients.set(report.address, { state: report.state, at, key: report.sessionKey });
      }
    } finally {
      await file.close();
    }
  }

  return {
    async read() {
      await consume();
      const at = now();
      const sessions: PlexSession[] = [];
      for (const [address, client] of clients) {
        if (at - client.at > SILENCE_MS) {
          clients.delete(address);
          continue;
        }
        sessions.push({ id: client.key ?? address, address, state: client.state, bandwidthKbps: null, location: null, player: null });
      }
      return sessions;
    },
  };
}
