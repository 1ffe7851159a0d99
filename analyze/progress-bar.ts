/** A one-line progress bar on stderr for work that takes more than a second, only on a terminal. */

/** Where the bar is drawn: a TTY stream (process.stderr), or a stand-in in tests. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/** A progress bar; every method is a no-op when the stream is not a terminal. */
export interface ProgressBar {
  /** Sets how much of `total` is done (and optionally what is being done); redraws at most every 100 ms. */
  update(done: number, total: number, label?: string): void;
  /** Erases the bar, if it was drawn. */
  finish(): void;
}

export interface ProgressBarOptions {
  label: string;
  stream?: ProgressStream;
  /** Show nothing before this much time has passed (ms; default 1000). */
  delayMs?: number;
  now?: () => number;
}

const REDRAW_MS = 100;

/** Creates a bar. Work here is synchronous SQLite, so time is checked on each update, not by a timer. */
export function createProgressBar(options: ProgressBarOptions): ProgressBar {
  const stream = options.stream ?? process.stderr;
  if (stream.isTTY !== true) return { update() {}, finish() {} };
  const now = options.now ?? Date.now;
  const started = now();
  const delayMs = options.delayMs ?? 1000;
  let label = options.label;
  let drawnAt = -Infinity;
  let drawn = false;

  return {
    update(done, total, newLabel) {
      if (newLabel !== undefined) label = newLabel;
      const at = now();
      if (at - started < delayMs || at - drawnAt < REDRAW_MS) return;
      drawnAt = at;
      drawn = true;
      stream.write(`\r\x1b[K${renderBar(label, done, total, stream.columns ?? 80)}`);
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}

/** The bar's text: `label [#####-----]  42%`, fitted to `columns`; `total` 0 means unknown. */
export function renderBar(label: string, done: number, total: number, columns: number): string {
  if (total <= 0) return `${label} …`.slice(0, columns - 1);
  const fraction = Math.min(1, Math.max(0, done / total));
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const width = Math.max(10, Math.min(40, columns - label.length - 10));
  const filled = Math.round(fraction * width);
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent}`.slice(0, columns - 1);
}
