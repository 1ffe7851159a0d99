/** The patterns, detail and events views as text for people. */
import type { SessionDetail } from './detail.ts';
import { cell, formatCount, formatMs, formatPercent, formatTable, formatTime, type Style } from './format.ts';
import type { EventJson, PatternsReport } from './types.ts';

/** The patterns table, most frequent first; on a terminal long patterns are cut to its width (--json has them whole). */
export function renderPatterns(report: PatternsReport, style: Style, columns?: number): string {
  const window = report.since === null ? '' : ` since ${formatTime(report.since)}`;
  if (report.total === 0) return `No sessions recorded${window} in ${report.db}.\n`;
  const right = { align: 'right' } as const;
  const rows = report.patterns.map((p) => [
    formatCount(p.count),
    formatPercent(p.share),
    `${formatCount(p.by_decision.remote)}/${formatCount(p.by_decision.local)}/${formatCount(p.by_decision.fallback)}`,
    formatTime(p.first_seen),
    formatTime(p.last_seen),
    cell(p.kind),
    p.example_session,
    cell(p.pattern_id),
    cell(p.pattern),
  ]);
  const table = formatTable(
    [{ header: 'sessions', ...right }, { header: 'share', ...right }, { header: 'remote/local/fallback', ...right }, { header: 'first seen' }, { header: 'last seen' }, { header: 'kind' }, { header: 'example session' }, { header: 'pattern id' }, { header: 'pattern' }],
    rows,
    style,
  );
  const fitted = columns === undefined ? table : table.split('\n').map((line) => (line.length > columns && !line.includes('\x1b') ? `${line.slice(0, columns - 1)}…` : line)).join('\n');
  return `${style.bold(`${formatCount(report.patterns.length)} patterns`)} in ${formatCount(report.total)} sessions${window}\n${fitted}\n`;
}

/** Every recorded field of one session, argv as a shell-quoted command line. */
export function renderDetail(detail: SessionDetail, style: Style): string {
  const { argv, env_names: envNames, facts, ...fields } = detail.session;
  const width = Math.max(...Object.keys(fields).map((k) => k.length));
  const lines = Object.entries(fields).map(([key, value]) => `${style.bold(key.padEnd(width))}  ${value === null ? style.dim('-') : String(value)}`);
  lines.push('', style.bold('argv'), `  ${(argv as string[]).map(shellQuote).join(' ')}`);
  lines.push('', style.bold('environment names'), `  ${(envNames as string[]).join(' ')}`);
  lines.push('', style.bold('facts'), JSON.stringify(facts, null, 2).replace(/^/gm, '  '));
  if (detail.resumes.length > 0) {
    lines.push('', style.bold('resumes'));
    for (const r of detail.resumes) {
      lines.push(`  ${formatTime(r.at)}  ${r.from} → ${r.to} at segment ${r.segment} (media ${r.media_s.toFixed(1)} s), ${r.reason}${r.error === null ? '' : `: ${r.error}`}; gap ${formatMs(r.gap_ms)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The events table, oldest first. */
export function renderEvents(events: readonly EventJson[], style: Style): string {
  if (events.length === 0) return 'No events recorded.\n';
  const change = (from: string | null, to: string | null) => (from === null && to === null ? '-' : from === null ? cell(to) : `${from} → ${cell(to)}`);
  const short = (md5: string | null) => (md5 === null ? null : md5.slice(0, 8));
  const rows = events.map((e) => [formatTime(e.at), e.source, e.type === 'plex-updated' ? style.yellow(e.type) : e.type, change(e.old_plex_version, e.plex_version), change(short(e.old_md5), short(e.new_md5)), cell(e.message)]);
  return `${formatTable([{ header: 'time' }, { header: 'source' }, { header: 'event' }, { header: 'Plex version' }, { header: 'transcoder md5' }, { header: 'message' }], rows, style)}\n`;
}

/** Quotes one argv token for a POSIX shell, only when it needs it. */
export function shellQuote(token: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(token) ? token : `'${token.replace(/'/g, `'\\''`)}'`;
}
