/** `plexbeam doctor`'s checklist for people: one line per check, the fix under each failure. */
import type { DoctorReport } from './check.ts';

/** The checklist text, ending with a newline. */
export function formatReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((check) => check.name.length));
  const lines = report.checks.flatMap((check) => {
    const line = `${check.ok ? '  ok  ' : '  FAIL'}  ${check.name.padEnd(width)}  ${check.detail}`;
    return check.ok || check.fix === null ? [line] : [line, `        ${' '.repeat(width)}  fix: ${check.fix}`];
  });
  const failed = report.checks.filter((check) => !check.ok).length;
  const summary = failed === 0
    ? `All ${report.checks.length} checks passed.`
    : `${failed} of ${report.checks.length} checks failed: fix them, then run plexbeam doctor again.`;
  return `plexbeam doctor\n\n${lines.join('\n')}\n\n${summary}\n`;
}
