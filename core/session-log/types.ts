/** The session log's TypeScript shapes: camelCase here, snake_case columns in SQLite. */
import type { EndedBy, FallbackReason } from './endings.ts';

export type { EndedBy, FallbackReason } from './endings.ts';

/** What one cartridge invocation was, as the classifier saw it. */
export type SessionKind = 'video-transcode' | 'audio-only' | 'remux' | 'optimize' | 'detection' | 'capability-query' | 'unknown';

/** Where the work ran: `local` on purpose (pass-through, not worth moving), `fallback` wanted remote but could not. */
export type SessionDecision = 'remote' | 'local' | 'fallback';

/** Who recorded an event. */
export type EventSource = 'watchdog' | 'cartridge' | 'worker' | 'install';

/** Known event types; others are allowed so a new one needs no schema change. */
export type EventType = 'shim-restored' | 'plex-updated' | 'shim-installed' | 'shim-uninstalled' | 'recheck' | (string & {});

/** The parsed facts of an invocation that have their own column (all nullable: unknown is null). */
export interface SessionFacts {
  pattern?: string | null;
  patternId?: string | null;
  inputPath?: string | null;
  videoCodecIn?: string | null;
  videoCodecOut?: string | null;
  audioCodecIn?: string | null;
  audioCodecOut?: string | null;
  width?: number | null;
  height?: number | null;
  /** Bits per second. */
  videoBitrate?: number | null;
  /** Bits per second. */
  audioBitrate?: number | null;
  container?: string | null;
  protocol?: string | null;
  subtitleBurnIn?: boolean | null;
  subtitleKind?: string | null;
  toneMapping?: boolean | null;
  hwDecode?: string | null;
  /** Seek offset in seconds. */
  seekS?: number | null;
  client?: string | null;
  /** The full parsed object (stored as JSON, shown by `analyze --detail`). */
  facts?: unknown;
}

/** The fields `updateSession` may change; `null` clears one, `undefined` leaves it alone. */
export interface SessionPatch {
  decision?: SessionDecision | null;
  /** Why it ran where it did, in words (for a fallback: each worker and why it was passed over). */
  reason?: string | null;
  /** For decision `fallback`: why, as a code. */
  fallbackReason?: FallbackReason | null;
  /** The worker's URL or name. */
  worker?: string | null;
  /** Milliseconds since the epoch, like every `...At` field. */
  dispatchAt?: number | null;
  firstSegmentAt?: number | null;
  endedAt?: number | null;
  exitCode?: number | null;
  signal?: string | null;
  /** Why it ended; null on rows written before schema version 3. */
  endedBy?: EndedBy | null;
  error?: string | null;
  /** A remote session: how the worker reached Plex's files (`shared` or `stream`); null before schema version 4. */
  storage?: 'shared' | 'stream' | null;
  /** Why that storage mode, in words. */
  storageReason?: string | null;
}

/** What the cartridge knows when an invocation starts (argv tokens already redacted). */
export interface SessionStart extends SessionFacts, SessionPatch {
  /** A UUID the cartridge generates. */
  id: string;
  startedAt: number;
  argv: readonly string[];
  /** Environment variable names only, never values. */
  envNames: readonly string[];
  cwd: string;
  kind: SessionKind;
}

/** One stored session, every column present (`null` where unknown). */
export type SessionRow = {
  [K in keyof Required<SessionFacts>]: K extends 'facts' ? unknown : Exclude<SessionFacts[K], undefined>;
} & {
  [K in keyof Required<SessionPatch>]: Exclude<SessionPatch[K], undefined>;
} & {
  id: string;
  startedAt: number;
  argv: string[];
  envNames: string[];
  cwd: string;
  kind: SessionKind;
};

/** An event to record; `at` defaults to now. */
export interface EventInput {
  at?: number;
  source: EventSource;
  type: EventType;
  oldMd5?: string | null;
  newMd5?: string | null;
  plexVersion?: string | null;
  oldPlexVersion?: string | null;
  message?: string | null;
  /** Anything else worth keeping, stored as JSON. */
  details?: unknown;
}

/** One stored event. */
export interface EventRow {
  id: number;
  at: number;
  source: EventSource;
  type: EventType;
  oldMd5: string | null;
  newMd5: string | null;
  plexVersion: string | null;
  oldPlexVersion: string | null;
  message: string | null;
  details: unknown;
}

/** A worker's last known `/health` answer. */
export interface WorkerCapabilitiesRow {
  worker: string;
  seenAt: number;
  health: unknown;
}
