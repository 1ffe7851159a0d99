/** The shaper service: every poll, sessions → grace → desired classes → one reconcile, then status. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../core/log.ts';
import { desiredClasses, isExempt } from './desired.ts';
import { createPresence } from './presence.ts';
import type { Reconciler, ReconcileResult } from './reconcile.ts';
import type { SessionsSource } from './sessions-source.ts';
import type { PlexSession } from './sessions-xml.ts';
import type { ShaperSettings } from './settings.ts';
import { writeShaperStatus, type ClientStatus, type ShaperStatus } from './status-file.ts';

/** How often PMS is asked who is watching, in milliseconds (2 s). */
export const POLL_MS = 2000;
/** How many changes the status keeps. */
const CHANGES_KEPT = 20;

/** What the service needs; main.ts builds these from the config. */
export interface ShaperDeps {
  settings: ShaperSettings;
  source: SessionsSource;
  /** Asked when `source` fails (PMS's log follower), if given. */
  fallback?: SessionsSource;
  reconciler: Reconciler;
  log: Logger;
  /** Where the status snapshot goes (null: nowhere). */
  statusPath: string | null;
  pollMs?: number;
  now?: () => number;
  /** Called with the one-line status whenever it changes (for systemd). */
  onStatus?: (line: string) => void;
}

/** A running shaper. */
export interface Shaper {
  /** The first poll and reconcile (their errors reject: a foreign root qdisc, no tc), then the loop. */
  start(): Promise<void>;
  /** Stops polling and removes every rule it made. */
  close(): Promise<void>;
  statusLine(): string;
}

/** Creates the service. */
export function createShaper(deps: ShaperDeps): Shaper {
  const { settings, log } = deps;
  const now = deps.now ?? Date.now;
  const presence = createPresence(settings.graceMs);
  const stopping = new AbortController();
  const changes: { at: string; change: string }[] = [];
  const previousBytes = new Map<string, { bytes: number; at: number }>();
  let source: string | null = null;
  let lastError: string | null = null;
  let line = 'starting';
  let loop: Promise<void> | null = null;
  let known = new Set<string>();

  async function readSessions(): Promise<PlexSession[] | null> {
    try {
      const sessions = await deps.source.read(stopping.signal);
      if (source !== 'pms') log.info({ source: 'pms' }, 'reading sessions from Plex Media Server');
      source = 'pms';
      lastError = null;
      return sessions;
    } catch (error) {
      if (stopping.signal.aborted) return null;
      const message = `cannot read Plex's sessions: ${(error as Error).message}`;
      if (message !== lastError) log.warn(message);
      lastError = message;
      if (deps.fallback === undefined) return null;
      try {
        const sessions = await deps.fallback.read(stopping.signal);
        if (source !== 'log') log.info({ source: 'log' }, "following Plex's log instead");
        source = 'log';
        return sessions;
      } catch (fallbackError) {
        lastError = `${message}; the log fallback failed too: ${(fallbackError as Error).message}`;
        return null;
      }
    }
  }

  async function tick(): Promise<void> {
    const at = now();
    const sessions = await readSessions();
    // An unanswered poll changes nothing: clients keep their grace clock running from the last answer.
    if (sessions !== null) presence.observe(sessions, at);
    const clients = presence.current(at);
    const addresses = new Set(clients.map((c) => c.address));
    for (const address of addresses) if (!known.has(address)) log.info({ client: address, exempt: isExempt(address, settings) }, 'client watching');
    for (const address of known) if (!addresses.has(address)) log.info({ client: address }, 'client gone (grace over)');
    known = addresses;
    const result: ReconcileResult = await deps.reconciler.reconcile(desiredClasses([...addresses], settings), settings.ceilBits);
    for (const change of result.changes) {
      log.info({ change }, 'tc changed');
      changes.push({ at: new Date(at).toISOString(), change });
    }
    changes.splice(0, Math.max(0, changes.length - CHANGES_KEPT));
    const applied = new Map(result.applied.map((a) => [a.address, a]));
    let measuredTotal = 0;
    const statuses: ClientStatus[] = clients.map((client) => {
      const cls = applied.get(client.address);
      let measuredBits: number | null = null;
      if (cls !== undefined) {
        const before = previousBytes.get(cls.classid);
        if (before !== undefined && at > before.at && cls.bytes >= before.bytes) measuredBits = Math.round(((cls.bytes - before.bytes) * 8 * 1000) / (at - before.at));
        previousBytes.set(cls.classid, { bytes: cls.bytes, at });
        measuredTotal += measuredBits ?? 0;
      }
      return {
        address: client.address,
        classid: cls?.classid ?? null,
        exempt: isExempt(client.address, settings),
        rateBits: cls?.rateBits ?? null,
        ceilBits: cls?.ceilBits ?? null,
        measuredBits,
        sessions: client.sessions.map((s) => ({ id: s.id, state: s.state, bandwidthKbps: s.bandwidthKbps, player: s.player })),
        releaseAt: client.releaseAt === null ? null : new Date(client.releaseAt).toISOString(),
      };
    });
    const shaped = result.applied.length;
    const next = `${shaped} viewer${shaped === 1 ? '' : 's'} shaped · ${mbit(measuredTotal)}/${mbit(settings.ceilBits)} Mbit/s`;
    // Only a changed line goes to systemd (each one costs a systemd-notify process).
    if (next !== line) deps.onStatus?.(next);
    line = next;
    await writeStatus(true, statuses);
  }

  async function writeStatus(running: boolean, clients: ClientStatus[]): Promise<void> {
    if (deps.statusPath === null) return;
    const status: ShaperStatus = {
      running,
      pid: process.pid,
      interface: settings.interface,
      ceilBits: settings.ceilBits,
      updatedAt: new Date(now()).toISOString(),
      source,
      lastError,
      statusLine: line,
      clients,
      changes,
    };
    try {
      await writeShaperStatus(deps.statusPath, status);
    } catch (error) {
      log.warn({ err: error }, `cannot write the status file ${deps.statusPath}`);
    }
  }

  async function run(): Promise<void> {
    while (!stopping.signal.aborted) {
      try {
        await sleep(deps.pollMs ?? POLL_MS, undefined, { signal: stopping.signal });
      } catch {
        return;
      }
      try {
        await tick();
      } catch (error) {
        // A tc failure now is retried next poll; the rules in place stay as they are.
        lastError = (error as Error).message;
        log.error({ err: error }, `reconcile failed: ${lastError}`);
      }
    }
  }

  return {
    async start() {
      await tick();
      loop = run();
    },
    async close() {
      stopping.abort();
      await loop;
      for (const change of await deps.reconciler.teardown()) {
        log.info({ change }, 'tc changed');
        changes.push({ at: new Date(now()).toISOString(), change });
      }
      line = 'stopped; no rules in place';
      await writeStatus(false, []);
    },
    statusLine: () => line,
  };
}

function mbit(bits: number): string {
  const value = bits / 1e6;
  return value >= 10 || value === 0 ? String(Math.round(value)) : value.toFixed(1);
}
