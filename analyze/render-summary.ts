/** The summary as aligned tables for people. */
import { cell, formatCount, formatDuration, formatMs, formatPercent, formatTable, formatTime, type Style } from './format.ts';
import type { CodecPair, Facet, ResumesSummary, Summary } from './types.ts';

/** Rows shown per facet table before "… N more". */
const FACET_ROWS = 12;

/** Renders `summary`; `style` adds colour on a terminal. */
export function renderSummary(summary: Summary, style: Style): string {
  const out: (string | null)[] = [];
  const window = summary.since === null ? '' : ` since ${formatTime(summary.since)}`;
  if (summary.total === 0) return `No sessions recorded${window} in ${summary.db}.\n`;
  const { remote, local, fallback } = summary.by_decision;
  const pct = (n: number) => formatPercent(n / summary.total);
  out.push(
    `${style.bold(formatCount(summary.total))} sessions${window} (${formatTime(summary.first_started_at)} to ${formatTime(summary.last_started_at)}) in ${summary.db}`,
    `  ${style.green('remote')} ${formatCount(remote)} (${pct(remote)})   local ${formatCount(local)} (${pct(local)})   ${style.yellow('fallback')} ${formatCount(fallback)} (${pct(fallback)})` +
      (summary.undecided > 0 ? `   undecided ${formatCount(summary.undecided)}` : ''),
    '',
  );

  const rows = (['remote', 'local', 'fallback'] as const).map((d) => {
    const { count, outcomes: o, durations: t, first_segment: l } = summary.decisions[d];
    return [d, formatCount(count), formatCount(o.ok), formatCount(o.stopped), o.failed > 0 ? style.red(formatCount(o.failed)) : '0', o.worker_lost > 0 ? style.red(formatCount(o.worker_lost)) : '0', formatCount(o.unfinished), formatPercent(o.failure_rate), formatDuration(t.total_s), formatDuration(t.mean_s), formatMs(l.p50_ms), formatMs(l.p90_ms), formatMs(l.p99_ms)];
  });
  const all = summary.outcomes;
  rows.push(['all', formatCount(summary.total), formatCount(all.ok), formatCount(all.stopped), formatCount(all.failed), formatCount(all.worker_lost), formatCount(all.unfinished), formatPercent(all.failure_rate), formatDuration(summary.durations.total_s), formatDuration(summary.durations.mean_s), '', '', '']);
  const right = { align: 'right' } as const;
  out.push(style.bold('Where it ran, how it ended'), formatTable(
    [{ header: 'decision' }, { header: 'sessions', ...right }, { header: 'ok', ...right }, { header: 'stopped', ...right }, { header: 'failed', ...right }, { header: 'worker lost', ...right }, { header: 'unfinished', ...right }, { header: 'failure', ...right }, { header: 'total time', ...right }, { header: 'mean', ...right }, { header: '1st segment p50', ...right }, { header: 'p90', ...right }, { header: 'p99', ...right }],
    rows,
  ), style.dim('  stopped = Plex ended it (playback stopped, a seek, a quality change): not a failure; failure rate = (failed + worker lost) / finished'), '');

  out.push(facetTable('Kinds', 'kind', summary.by_kind, style), facetTable('Clients', 'client', summary.by_client, style), facetTable('Protocols', 'protocol', summary.by_protocol, style));
  out.push(facetTable('Output resolutions', 'height', summary.resolutions, style));
  out.push(codecTable('Video codecs', summary.video_codecs, style), codecTable('Audio codecs', summary.audio_codecs, style));
  const f = summary.features;
  out.push(`${style.bold('Features')}  subtitle burn-in ${formatCount(f.subtitle_burn_in)} (${pct(f.subtitle_burn_in)})   HDR tone-mapping ${formatCount(f.tone_mapping)} (${pct(f.tone_mapping)})`, '');

  if (summary.fallback_reasons.length > 0) {
    const reasons = summary.fallback_reasons.slice(0, FACET_ROWS).map((r) => [formatCount(r.count), formatPercent(r.share), cell(r.code), r.text]);
    out.push(style.bold('Why sessions fell back'), formatTable([{ header: 'sessions', ...right }, { header: 'share', ...right }, { header: 'code' }, { header: 'meaning' }], reasons), more(summary.fallback_reasons.length), '');
  }
  if (summary.workers.length > 0) {
    const workers = summary.workers.map((w) => [w.worker, formatCount(w.count), formatCount(w.by_decision.remote), formatCount(w.by_decision.fallback), formatCount(w.outcomes.ok), formatCount(w.outcomes.stopped), formatCount(w.outcomes.failed), formatCount(w.outcomes.worker_lost), formatPercent(w.outcomes.failure_rate), formatDuration(w.durations.total_s)]);
    const columns = [{ header: 'worker' }, { header: 'sessions', ...right }, { header: 'remote', ...right }, { header: 'fell back', ...right }, { header: 'ok', ...right }, { header: 'stopped', ...right }, { header: 'failed', ...right }, { header: 'lost', ...right }, { header: 'failure', ...right }, { header: 'time', ...right }];
    out.push(style.bold('Workers'), formatTable(columns, workers), '');
  }
  out.push(resumesTable(summary.resumes, style));
  out.push(style.dim('More: --patterns, --remote-feasibility, --events, --detail SESSION_ID; --json for machines.'));
  return `${out.filter((line) => line !== null).join('\n')}\n`;
}

/** Resumes per worker lost: how many, why, the worst gap and where they went; absent when none (like the other sections). */
function resumesTable(resumes: ResumesSummary, style: Style): string | null {
  if (resumes.total === 0) return null;
  const right = { align: 'right' } as const;
  const rows = resumes.by_worker.map((w) => [
    w.worker, formatCount(w.resumes), formatCount(w.sessions), formatCount(w.by_reason['worker-lost']), formatCount(w.by_reason['worker-failed']), formatCount(w.by_reason['handed-back']),
    formatMs(w.worst_gap_ms), w.to.map((t) => `${t.to} ${formatCount(t.count)}`).join(', '),
  ]);
  const columns = [{ header: 'worker lost' }, { header: 'resumes', ...right }, { header: 'sessions', ...right }, { header: 'lost', ...right }, { header: 'failed', ...right }, { header: 'handed back', ...right }, { header: 'worst gap', ...right }, { header: 'went to' }];
  const head = `${style.bold('Resumes')}  ${formatCount(resumes.total)} in ${formatCount(resumes.sessions)} sessions, worst gap ${formatMs(resumes.worst_gap_ms)}`;
  return [head, formatTable(columns, rows), style.dim('  a worker lost mid-play (lost), failing for its own reasons (failed) or draining (handed back): the transcode went on elsewhere'), ''].join('\n');
}

function facetTable(title: string, header: string, facets: readonly Facet[], style: Style): string | null {
  if (facets.length === 0) return null;
  const right = { align: 'right' } as const;
  const rows = facets.slice(0, FACET_ROWS).map((f) => [cell(f.value), formatCount(f.count), formatPercent(f.share), formatCount(f.by_decision.remote), formatCount(f.by_decision.local), formatCount(f.by_decision.fallback), formatDuration(f.total_s)]);
  const table = formatTable([{ header }, { header: 'sessions', ...right }, { header: 'share', ...right }, { header: 'remote', ...right }, { header: 'local', ...right }, { header: 'fallback', ...right }, { header: 'time', ...right }], rows);
  return [style.bold(title), table, more(facets.length), ''].filter((l) => l !== null).join('\n');
}

function codecTable(title: string, pairs: readonly CodecPair[], style: Style): string | null {
  if (pairs.length === 0) return null;
  const rows = pairs.slice(0, FACET_ROWS).map((p) => [cell(p.from), cell(p.to), formatCount(p.count), formatPercent(p.share)]);
  const table = formatTable([{ header: 'source' }, { header: 'target' }, { header: 'sessions', align: 'right' }, { header: 'share', align: 'right' }], rows);
  return [style.bold(title), table, more(pairs.length), ''].filter((l) => l !== null).join('\n');
}

function more(length: number): string | null {
  return length > FACET_ROWS ? `  … ${length - FACET_ROWS} more (--json has all)` : null;
}
