/**
 * What Plex was told of the segments so far: the last complete body of each callback that is not
 * a progress report (the CSV segment list, the DASH manifest), with when it was relayed. A
 * resume (cartridge/resume) reads it to start from the first segment Plex lacks. Bodies are
 * kept only up to a bound (the lists Plex asks for are a few rows).
 */
import type { LinkMessage } from './link-client.ts';

/** One relayed body. */
export interface ListBody {
  path: string;
  body: string;
  /** When it was complete (ms since the epoch). */
  at: number;
}

export interface ListLog {
  /** Feeds a `callback`, `callback_data` or `gap` link message. */
  feed(message: LinkMessage): void;
  /** The last complete body relayed to `path`, if any. */
  last(path: string): ListBody | undefined;
  /** Calls `listener` with each body completed from now on; returns the unsubscribe. */
  listen(listener: (body: ListBody) => void): () => void;
}

/** The most of one body kept, in bytes (its tail: the latest rows). */
const MAX_BODY = 64 << 10;

export function createListLog(): ListLog {
  const open = new Map<number, { path: string; chunks: Buffer[]; size: number }>();
  const lasts = new Map<string, ListBody>();
  const listeners = new Set<(body: ListBody) => void>();
  return {
    feed(message) {
      // Messages the worker dropped: a body open now may lack some of its chunks, so none is trusted.
      if (message.type === 'gap') return void open.clear();
      const seq = Number(message.seq);
      if (message.type === 'callback') {
        const path = String(message.path ?? '');
        if (/\/progress(\/|$)/.test(path)) return;
        open.set(seq, { path, chunks: [], size: 0 });
        if (message.end !== true) return;
      }
      const pending = open.get(seq);
      if (pending === undefined) return;
      if (message.type === 'callback_data') {
        // Bytes, decoded once complete: a character may be split between two messages.
        const data = Buffer.from(String(message.body_b64 ?? ''), 'base64');
        pending.chunks.push(data);
        pending.size += data.length;
        // Chunks wholly before the last MAX_BODY bytes go; the rest is cut once complete.
        while (pending.size - (pending.chunks[0] as Buffer).length >= MAX_BODY) pending.size -= (pending.chunks.shift() as Buffer).length;
        if (message.end !== true) return;
      }
      open.delete(seq);
      if (message.aborted === true) return;
      const bytes = Buffer.concat(pending.chunks);
      const body = { path: pending.path, body: bytes.subarray(Math.max(0, bytes.length - MAX_BODY)).toString('utf8'), at: Date.now() };
      lasts.set(body.path, body);
      for (const listener of listeners) listener(body);
    },
    last: (path) => lasts.get(path),
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
