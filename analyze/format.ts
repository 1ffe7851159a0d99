/** Aligned text tables, numbers for people, and colour only where a terminal shows it. */

/** Text styles; identity functions when colour is off. */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
}

/** Colour when stdout is a terminal and NO_COLOR is unset or empty (no-color.org). */
export function shouldColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

/** ANSI styles when `enabled`, plain text otherwise. */
export function createStyle(enabled: boolean): Style {
  const wrap = (open: number, close: number) => (text: string) => (enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text);
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39) };
}

const ANSI = /\x1b\[[0-9;]*m/g;

/** Printed width of `text`, escape sequences excluded. */
export function visibleWidth(text: string): number {
  return [...text.replace(ANSI, '')].length;
}

/** A table column: its header and which side its cells align to. */
export interface Column {
  header: string;
  align?: 'left' | 'right';
}

/** Rows under a header, columns two spaces apart, numbers right-aligned; no trailing spaces. */
export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[], style: Style = createStyle(false)): string {
  const widths = columns.map((column, i) => Math.max(visibleWidth(column.header), ...rows.map((row) => visibleWidth(row[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => {
        const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - visibleWidth(cell)));
        return columns[i]?.align === 'right' ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return [style.bold(line(columns.map((c) => c.header))), ...rows.map(line)].join('\n');
}

/** `1,234,567` (the same on every locale, so output is stable). */
export function formatCount(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `42.1%` of a 0..1 fraction; `-` when null. */
export function formatPercent(fraction: number | null): string {
  if (fraction === null) return '-';
  const percent = fraction * 100;
  return `${percent !== 0 && Math.abs(percent) < 0.1 ? '<0.1' : percent.toFixed(1)}%`;
}

/** A duration in the unit that reads best: `850 ms`, `12.5 s`, `42 min`, `3.4 h`, `1,234 h`; `-` when null. */
export function formatDuration(secondsValue: number | null): string {
  if (secondsValue === null) return '-';
  if (secondsValue < 1) return `${Math.round(secondsValue * 1000)} ms`;
  if (secondsValue < 120) return `${secondsValue.toFixed(1)} s`;
  if (secondsValue < 7200) return `${Math.round(secondsValue / 60)} min`;
  const hours = secondsValue / 3600;
  return hours < 100 ? `${hours.toFixed(1)} h` : `${formatCount(hours)} h`;
}

/** Milliseconds as `1,315 ms`; `-` when null. */
export function formatMs(ms: number | null): string {
  return ms === null ? '-' : `${formatCount(ms)} ms`;
}

/** A time as `2025-01-31 18:00` in local time; `-` when null. */
export function formatTime(iso: string | null): string {
  if (iso === null) return '-';
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** `value` or `-` for null/empty, for table cells. */
export function cell(value: string | number | null | undefined): string {
  return value === null || value === undefined || value === '' ? '-' : String(value);
}
