/** Aligned text tables, numbers for people, and colour only where a terminal shows it. */
import { formatCount } from '../core/feasibility/numbers.ts';

export { formatCount, formatDuration, formatPercent, formatTime } from '../core/feasibility/numbers.ts';

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

/** Milliseconds as `1,315 ms`; `-` when null. */
export function formatMs(ms: number | null): string {
  return ms === null ? '-' : `${formatCount(ms)} ms`;
}

/** `value` or `-` for null/empty, for table cells. */
export function cell(value: string | number | null | undefined): string {
  return value === null || value === undefined || value === '' ? '-' : String(value);
}
