/** Bounded retry of SQLite work that can report SQLITE_BUSY before the busy timeout applies. */

/** How long all attempts together may take before the last SQLITE_BUSY is thrown (ms). */
const RETRY_BUDGET_MS = 10_000;
/** First pause between attempts (ms); doubles up to MAX_PAUSE_MS, with jitter. */
const FIRST_PAUSE_MS = 5;
const MAX_PAUSE_MS = 200;

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** True for SQLITE_BUSY and its extended codes (SQLITE_BUSY_RECOVERY, SQLITE_BUSY_SNAPSHOT, ...). */
export function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * Runs `work`, retrying while it throws SQLITE_BUSY. better-sqlite3 is synchronous, so the
 * pause blocks too (Atomics.wait): this only guards opening, WAL switch-over and migration,
 * where SQLite can answer BUSY at once instead of calling its busy handler.
 */
export function retryOnBusy<T>(work: () => T, budgetMs = RETRY_BUDGET_MS): T {
  const deadline = Date.now() + budgetMs;
  let pause = FIRST_PAUSE_MS;
  for (;;) {
    try {
      return work();
    } catch (error) {
      if (!isBusyError(error) || Date.now() + pause > deadline) throw error;
      Atomics.wait(sleeper, 0, 0, pause + Math.random() * pause);
      pause = Math.min(pause * 2, MAX_PAUSE_MS);
    }
  }
}
