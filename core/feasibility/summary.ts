/**
 * The feasibility report's headline, as `plexbeam analyze --remote-feasibility` prints it and the
 * dashboard shows it: what already runs remotely, what could move, what cannot and why, and the
 * first recommendations.
 */
import { formatCount, formatDuration, formatPercent } from './numbers.ts';
import type { FeasibilityReport, Recommendation } from './types.ts';

/** The three headline sentences, each after its label (Already remote / Could move / Cannot move). */
export interface FeasibilityHeadline {
  remote: string;
  movable: string;
  blocked: string;
}

/** What the dashboard shows (`feasibility` in its report, docs/SERVER.md). */
export interface FeasibilitySummary {
  total: number;
  transcode_s: number;
  remote_share: number;
  movable_share: number;
  blocked_share: number;
  blocked_sessions: number;
  headline: FeasibilityHeadline;
  reasons: FeasibilityReport['reasons'];
  recommendations: Recommendation[];
}

/** Transcode time of sessions in blocked classes: neither remote already nor movable. */
export function blockedSeconds(report: FeasibilityReport): number {
  return Math.max(0, report.transcode_s - report.remote_s - report.movable_s);
}

/** The headline sentences of `report`. */
export function feasibilityHeadline(report: FeasibilityReport): FeasibilityHeadline {
  const blockedS = blockedSeconds(report);
  return {
    remote: `${formatPercent(report.remote_share)} of transcode time (${formatDuration(report.remote_s)})`,
    movable: `${formatPercent(report.movable_share)} (${formatDuration(report.movable_s)}): feasible sessions that ran locally or fell back`,
    blocked: `${formatPercent(report.transcode_s > 0 ? blockedS / report.transcode_s : 0)} (${formatDuration(blockedS)}): ${formatCount(report.blocked_sessions)} sessions, for the reasons below`,
  };
}

/** The summary of `report`: its headline, its blocking reasons first, and the first `recommendations`. */
export function summarizeFeasibility(report: FeasibilityReport, recommendations = 3): FeasibilitySummary {
  const blockedS = blockedSeconds(report);
  return {
    total: report.total,
    transcode_s: report.transcode_s,
    remote_share: report.remote_share,
    movable_share: report.movable_share,
    blocked_share: report.transcode_s > 0 ? Math.round((blockedS / report.transcode_s) * 10_000) / 10_000 : 0,
    blocked_sessions: report.blocked_sessions,
    headline: feasibilityHeadline(report),
    reasons: [...report.reasons.filter((r) => r.blocking), ...report.reasons.filter((r) => !r.blocking)],
    recommendations: report.recommendations.slice(0, recommendations),
  };
}
