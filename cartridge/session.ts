/**
 * The session log, written without delaying the transcode: SQLite (a native module) is loaded
 * only once the work is under way, writes are queued in order, and a failure costs at most one
 * line on stderr (which Plex logs); it never changes what the transcode does.
 */
import type { EndedBy, EventInput, FallbackReason, SessionLog, SessionPatch, SessionStart } from '../core/session-log/index.ts';

/** How an invocation ended, as the cartridge saw it: what `finish` records. */
export interface SessionEnding {
  endedBy: EndedBy;
  /** The exit code and signal Plex sees (ffmpeg exits 255 after SIGTERM: `plex-stop` says why). */
  code: number | null;
  signal: string | null;
  error?: string | null;
}

/** The end columns of a session: what the cartridge writes, and every fixture with it. */
export function endPatch(ending: SessionEnding, endedAt: number): SessionPatch {
  return { endedAt, endedBy: ending.endedBy, exitCode: ending.code, signal: ending.signal, error: ending.error ?? null };
}

/** The decision columns of a fallback: the code analyze groups by, and the detail in words. */
export function fallbackPatch(code: FallbackReason, detail: string): SessionPatch {
  return { decision: 'fallback', fallbackReason: code, reason: detail };
}

export interface SessionRecorder {
  /** Sets fields of the row (kept until `begin`, written after). */
  note(patch: SessionPatch): void;
  /** Records an event (a resume) in the events table, once the row is written. */
  event(input: EventInput): void;
  /** Starts writing: loads the session log, inserts the row, then applies later notes. */
  begin(): void;
  /** Notes the last fields and waits (at most `timeoutMs`) for every write, then closes. */
  finish(patch: SessionPatch, timeoutMs: number): Promise<void>;
}

/**
 * Records one session in the SQLite file at `path` (null: nowhere). The start row is built by
 * `startRow` only when writing begins: nothing of it is needed before the dispatch.
 */
export function createSessionRecorder(path: string | null, startRow: () => SessionStart): SessionRecorder {
  const notes: SessionPatch = {};
  const events: EventInput[] = [];
  let log: SessionLog | null = null;
  let id = '';
  let begun = false;
  let chain: Promise<void> = Promise.resolve();
  let reported = false;
  const report = (error: unknown) => {
    if (reported) return;
    reported = true;
    process.stderr.write(`plexbeam: session log not written: ${(error as Error).message}\n`);
  };
  const then = (step: () => void | Promise<void>) => {
    chain = chain.then(step).catch((error: unknown) => {
      report(error);
    });
  };

  const recorder: SessionRecorder = {
    note(patch) {
      if (!begun) return void Object.assign(notes, patch);
      then(() => {
        log?.updateSession(id, patch);
      });
    },
    event(input) {
      if (!begun) return void events.push(input);
      then(() => {
        log?.recordEvent(input);
      });
    },
    begin() {
      if (begun || path === null) return;
      begun = true;
      then(async () => {
        const { openSessionLog } = await import('../core/session-log/index.ts');
        const row = { ...startRow(), ...notes };
        id = row.id;
        log = openSessionLog(path);
        log.recordSessionStart(row);
        for (const input of events.splice(0)) log.recordEvent(input);
      });
    },
    async finish(patch, timeoutMs) {
      recorder.note(patch);
      recorder.begin();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([chain, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
      try {
        log?.close();
      } catch {
        // closing at exit: nothing left to save
      }
    },
  };
  return recorder;
}
