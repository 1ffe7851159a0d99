/**
 * Who counts as watching: every address PMS listed within the grace period. A STOP (the session
 * gone from the list) or a client vanishing is honoured only after `graceMs`, so the STOP/START
 * pairs of seeks and timeline drags never reach tc.
 */
import type { PlexSession } from './sessions-xml.ts';

/** One client address and what is known of it. */
export interface ClientPresence {
  readonly address: string;
  /** Its sessions in the latest list (empty once it stopped). */
  readonly sessions: readonly PlexSession[];
  /** When PMS last listed it, in epoch milliseconds. */
  readonly lastSeen: number;
  /** When it loses its class unless PMS lists it again (null while listed). */
  readonly releaseAt: number | null;
}

/** The grace-period memory of clients. */
export interface Presence {
  /** Records one sessions list read at `at`. */
  observe(sessions: readonly PlexSession[], at: number): void;
  /** Clients still held at `at` (forgets those past their grace). */
  current(at: number): ClientPresence[];
}

/** Creates the memory; `graceMs` 0 drops a client on the first list without it. */
export function createPresence(graceMs: number): Presence {
  const clients = new Map<string, { sessions: PlexSession[]; lastSeen: number; listed: boolean }>();
  return {
    observe(sessions, at) {
      for (const entry of clients.values()) {
        entry.listed = false;
        entry.sessions = [];
      }
      for (const session of sessions) {
        const entry = clients.get(session.address) ?? { sessions: [], lastSeen: at, listed: true };
        entry.sessions.push(session);
        entry.lastSeen = at;
        entry.listed = true;
        clients.set(session.address, entry);
      }
    },
    current(at) {
      const out: ClientPresence[] = [];
      for (const [address, entry] of clients) {
        const releaseAt = entry.listed ? null : entry.lastSeen + graceMs;
        if (releaseAt !== null && at >= releaseAt) {
          clients.delete(address);
          continue;
        }
        out.push({ address, sessions: [...entry.sessions], lastSeen: entry.lastSeen, releaseAt });
      }
      return out.sort((a, b) => a.address.localeCompare(b.address));
    },
  };
}
