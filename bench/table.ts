/** The benchmark table: Markdown, aligned, so the same text reads in a terminal and in docs/BENCHMARKS.md. */
import type { BenchRow, Measurement } from './types.ts';

const HEADERS = ['#', 'case', 'baseline: median (spread)', 'PlexBeam: median (spread)', 'result (spread)', 'goal', 'ok', 'runs'];

/** A number with as many decimals as its size (and unit) deserve, without the unit. */
export function formatNumber(value: number, unit: string): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = unit === '×' || unit === '%' ? 2 : abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A number followed by its unit (`1.62×`, `41.2 ms`, `0.85 %`). */
export function formatValue(value: number, unit: string): string {
  const text = formatNumber(value, unit);
  return unit === '×' ? `${text}×` : unit === '' ? text : `${text} ${unit}`;
}

function cell(m: Measurement | null): string {
  if (m === null) return '—';
  return `${m.label}: ${formatValue(m.median, m.unit)}${m.spread === null ? '' : ` (${m.spread})`}`;
}

function mark(row: BenchRow): string {
  if (row.pass === true) return 'pass';
  if (row.pass === false) return 'MISS';
  return row.result.value === null ? 'n/a' : 'info';
}

function runs(row: BenchRow): string {
  const counts = [row.baseline, row.measured].filter((m) => m !== null).map((m) => m.runs);
  return counts.length === 0 ? '—' : [...new Set(counts)].join('/');
}

/** The table's cells, row by row (header first). */
export function tableCells(rows: readonly BenchRow[]): string[][] {
  const body = rows.map((row) => [
    row.id,
    row.name,
    cell(row.baseline),
    cell(row.measured),
    row.result.spread === null ? row.result.text : `${row.result.text} (${row.result.spread})`,
    row.goal,
    mark(row),
    runs(row),
  ]);
  return [HEADERS, ...body];
}

/** The rows as an aligned Markdown table, followed by the notes of the rows that have one. */
export function formatTable(rows: readonly BenchRow[]): string {
  const cells = tableCells(rows).map((line) => line.map((text) => text.replaceAll('|', '\\|')));
  const widths = HEADERS.map((_, column) => Math.max(...cells.map((line) => [...(line[column] ?? '')].length)));
  const pad = (text: string, width: number) => text + ' '.repeat(width - [...text].length);
  const line = (values: string[]) => `| ${values.map((v, i) => pad(v, widths[i] as number)).join(' | ')} |`;
  const [header, ...body] = cells;
  const out = [line(header as string[]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)];
  const notes = rows.filter((row) => row.note !== undefined).map((row) => `- ${row.id}: ${row.note}`);
  return `${out.join('\n')}\n${notes.length > 0 ? `\n${notes.join('\n')}\n` : ''}`;
}
