/** `plexbeam status` as text: one block per worker (systemctl-like), then sessions and failures. */
import type { FleetWorker } from '../../core/fleet-cache.ts';
import type { WorkerEntry } from '../../core/config.ts';
import type { FleetView } from '../../server/fleet-view.ts';
import { reportWorker, withProgress } from '../../server/status-report.ts';
import type { LiveSession, RecentFailure } from '../../server/session-activity.ts';

/** "3 min", "2 h 5 min", "12 s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} days`;
}

const clock = (at: number) => new Date(at).toISOString().replace('T', ' ').slice(0, 19);

function workerLines(w: FleetWorker, now: number, storage: string): string[] {
  const state = !w.up ? 'down' : w.draining ? 'draining' : 'up';
  const lines = [`${w.up ? '●' : '○'} ${w.name} (${w.url}) ${state} since ${clock(w.since)} UTC (${formatDuration(now - w.since)})`];
  if (w.health !== null) {
    const h = w.health;
    lines.push(`    backend ${h.hwaccel} · encoders ${h.encoders.join(', ') || 'none'} · jobs ${h.jobs.running}/${h.jobs.max} running, ${h.jobs.queued} queued · version ${h.version} · storage ${storage}`);
  }
  if (!w.up && w.lastError !== null) lines.push(`    ${w.lastError}`);
  else if (w.lastError !== null && w.lastErrorAt !== null) lines.push(`    last error ${formatDuration(now - w.lastErrorAt)} ago: ${w.lastError}`);
  if (w.lastFailureAt !== null) lines.push(`    a job failed there ${formatDuration(now - w.lastFailureAt)} ago (${w.failedJobs} failed since the server watches it)`);
  return lines;
}

/** The whole report. */
export function formatStatus(view: FleetView, sessions: readonly LiveSession[], failures: readonly RecentFailure[], now = Date.now(), entries: readonly WorkerEntry[] = []): string {
  const up = view.workers.filter((w) => w.up).length;
  const out = [`Workers: ${up} of ${view.workers.length} up${view.source === 'server' ? ` (plexbeam-server's cache, ${formatDuration(view.ageMs ?? 0)} old)` : ` (asked live: ${view.why})`}`];
  if (view.workers.length === 0) out.push('  none configured: plexbeam workers add URL --key KEY');
  for (const w of view.workers) out.push(...workerLines(w, now, reportWorker(w, entries).storage).map((line) => `  ${line}`));
  out.push('', `Sessions: ${sessions.length} live`);
  for (const s of withProgress(sessions, view.workers)) {
    const where = s.decision === 'remote' ? `on ${s.worker ?? '?'}` : s.decision ?? 'deciding';
    const speed = s.speed === null ? '' : ` · ${s.speed.toFixed(2)}×`;
    const segment = s.segment !== null ? ` · segment ${s.segment}` : s.firstSegmentAt === null ? ' · no segment yet' : '';
    out.push(`  ${s.id.slice(0, 8)} ${s.kind} ${where} · client ${s.client ?? 'unknown'} · for ${formatDuration(now - s.startedAt)}${speed}${segment}`);
  }
  out.push('', `Last failures: ${failures.length === 0 ? 'none' : ''}`.trimEnd());
  for (const f of failures) {
    out.push(`  ${clock(f.startedAt)} UTC ${f.id.slice(0, 8)} ${f.decision ?? ''}${f.fallbackReason ? ` (${f.fallbackReason})` : ''}: ${f.reason ?? f.error ?? ''}`);
  }
  return `${out.join('\n')}\n`;
}
