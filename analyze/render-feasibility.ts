/** The feasibility report as aligned tables for people. */
import { feasibilityHeadline } from '../core/feasibility/summary.ts';
import { cell, formatCount, formatDuration, formatTable, formatTime, type Style } from './format.ts';
import type { FeasibilityReport } from './types.ts';

const CLASS_ROWS = 25;

/** Renders `report`; `style` adds colour on a terminal. */
export function renderFeasibility(report: FeasibilityReport, style: Style): string {
  const out: string[] = [];
  const right = { align: 'right' } as const;
  const window = report.since === null ? '' : ` since ${formatTime(report.since)}`;
  out.push(`${style.bold('Remote feasibility')} of ${formatCount(report.total)} sessions${window}: ${formatDuration(report.transcode_s)} of transcode time`, '');

  if (report.workers.length === 0) out.push(`Workers: ${style.red('none configured')}`);
  else {
    const rows = report.workers.map((w) => [
      w.worker + (w.configured ? '' : style.dim(' (not in this config)')),
      w.source === 'live' ? style.green('live') : w.source === 'last-known' ? style.yellow('last known') : style.red('unknown'),
      cell(w.hwaccel),
      w.encoders.length > 0 ? w.encoders.join(', ') : '-',
      w.source === 'live' ? 'now' : formatTime(w.seen_at),
      cell(w.error),
    ]);
    out.push(style.bold('Workers'), formatTable([{ header: 'worker' }, { header: 'capabilities' }, { header: 'hwaccel' }, { header: 'encoders' }, { header: 'seen' }, { header: 'not answering' }], rows));
  }
  out.push(`Inputs checked against: ${report.input_check.against}`, '');
  if (report.total === 0) return `${out.join('\n')}No sessions recorded${window} in ${report.db}: nothing to judge yet.\n`;

  const headline = feasibilityHeadline(report);
  out.push(
    `${style.green('Already remote')}  ${headline.remote}`,
    `${style.bold('Could move')}      ${headline.movable}`,
    `${style.red('Cannot move')}     ${headline.blocked}`,
    '',
  );

  const classes = report.classes.slice(0, CLASS_ROWS).map((c) => [
    c.feasible ? style.green('yes') : style.red('no'),
    c.class,
    c.input,
    formatCount(c.count),
    formatDuration(c.transcode_s),
    formatCount(c.by_decision.remote),
    formatCount(c.by_decision.local),
    formatCount(c.by_decision.fallback),
    c.reasons.map((r) => (r.blocking ? r.code : style.dim(r.code))).join(', ') || '-',
  ]);
  out.push(style.bold('Classes, by transcode time'), formatTable(
    [{ header: 'feasible' }, { header: 'class' }, { header: 'input' }, { header: 'sessions', ...right }, { header: 'time', ...right }, { header: 'remote', ...right }, { header: 'local', ...right }, { header: 'fallback', ...right }, { header: 'reasons (dim: not blocking)' }],
    classes,
  ));
  if (report.classes.length > CLASS_ROWS) out.push(`  … ${report.classes.length - CLASS_ROWS} more classes (--json has all)`);
  out.push('');

  if (report.reasons.length > 0) {
    out.push(style.bold('Reasons'));
    for (const r of report.reasons) {
      const tag = r.blocking ? style.red('blocks') : style.dim('note  ');
      out.push(`  ${tag}  ${style.bold(r.code)}  ${formatCount(r.sessions)} sessions, ${formatDuration(r.transcode_s)}`, `          ${r.text}`);
    }
    out.push('');
  }
  out.push(style.bold('Recommendations'));
  if (report.recommendations.length === 0) out.push('  none: everything that can move is moving.');
  report.recommendations.forEach((r, i) => out.push(`  ${i + 1}. ${r.text}`));
  return `${out.join('\n')}\n`;
}
