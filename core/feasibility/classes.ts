/** Applies the rules to each class tally and adds up what can move, what cannot, and why. */
import { reasonsFor, summaryText, type SetupFacts } from './rules.ts';
import type { InputState } from './input-reach.ts';
import { seconds, shareOf } from './sql.ts';
import type { DecisionCounts, FeasibilityClass, FeasibilityReport } from './types.ts';

/** kind, video codec in, video codec out, burn-in (0/1), tone-mapping (0/1). */
export type ClassKey = [string, string | null, string | null, number | null, number | null];

/** The summed sessions of one class (key × input reachability). */
export interface ClassTally {
  key: ClassKey;
  input: InputState;
  count: number;
  ms: number;
  remoteMs: number;
  byDecision: DecisionCounts;
  fallbackReasons: Map<string | null, { count: number; ms: number }>;
}

/** The judged classes, with the totals the report and the recommendations need. */
export interface JudgedClasses {
  rows: FeasibilityClass[];
  totalMs: number;
  remoteMs: number;
  movableMs: number;
  /** Why sessions of feasible classes fell back: the ones that could have moved. */
  feasibleFallbacks: { reason: string | null; count: number; durationMs: number }[];
  reasons: FeasibilityReport['reasons'];
}

/** Judges every class; rows come out most transcode time first. */
export function judgeClasses(tallies: readonly ClassTally[], setup: SetupFacts): JudgedClasses {
  const totalMs = tallies.reduce((sum, c) => sum + c.ms, 0);
  let remoteMs = 0;
  let movableMs = 0;
  const feasibleFallbacks = new Map<string | null, { count: number; ms: number }>();
  const fallbackMs = new Map<FeasibilityClass, number>();
  const rows = tallies.map((tally): FeasibilityClass => {
    const [kind, vin, vout, burn, tone] = tally.key;
    const fallbackReasons = [...tally.fallbackReasons].sort((a, b) => b[1].count - a[1].count).map(([reason, e]): [string | null, number] => [reason, e.count]);
    const reasons = reasonsFor({ kind, videoOut: vout, burnIn: burn === 1, toneMapping: tone === 1, input: tally.input, count: tally.count, fallbacks: tally.byDecision.fallback, fallbackReasons }, setup);
    const feasible = !reasons.some((r) => r.blocking);
    remoteMs += tally.remoteMs;
    if (feasible) {
      movableMs += tally.ms - tally.remoteMs;
      for (const [reason, e] of tally.fallbackReasons) {
        const sum = feasibleFallbacks.get(reason) ?? { count: 0, ms: 0 };
        feasibleFallbacks.set(reason, { count: sum.count + e.count, ms: sum.ms + e.ms });
      }
    }
    const row: FeasibilityClass = {
      class: labelOf(kind, vin, vout, burn === 1, tone === 1),
      kind,
      video_codec_in: vin,
      video_codec_out: vout,
      subtitle_burn_in: burn === 1,
      tone_mapping: tone === 1,
      input: tally.input,
      count: tally.count,
      transcode_s: seconds(tally.ms),
      share: shareOf(tally.ms, totalMs),
      by_decision: tally.byDecision,
      feasible,
      movable_s: feasible ? seconds(tally.ms - tally.remoteMs) : 0,
      reasons,
    };
    fallbackMs.set(row, [...tally.fallbackReasons.values()].reduce((sum, e) => sum + e.ms, 0));
    return row;
  });
  rows.sort((a, b) => b.transcode_s - a.transcode_s || b.count - a.count || a.class.localeCompare(b.class) || a.input.localeCompare(b.input));
  return {
    rows,
    totalMs,
    remoteMs,
    movableMs,
    feasibleFallbacks: [...feasibleFallbacks].map(([reason, e]) => ({ reason, count: e.count, durationMs: e.ms })).sort((a, b) => b.count - a.count),
    reasons: totalReasons(rows, fallbackMs),
  };
}

/**
 * Sessions and time behind each reason code, blocking codes first, then by time. A class's
 * remote-failed-before counts only its sessions that fell back, not the whole class.
 */
function totalReasons(rows: readonly FeasibilityClass[], fallbackMs: ReadonlyMap<FeasibilityClass, number>): FeasibilityReport['reasons'] {
  const totals = new Map<string, FeasibilityReport['reasons'][number]>();
  for (const row of rows) {
    for (const reason of row.reasons) {
      const total = totals.get(reason.code) ?? { code: reason.code, blocking: reason.blocking, sessions: 0, transcode_s: 0, text: summaryText(reason) };
      const fellBack = reason.code === 'remote-failed-before';
      total.sessions += fellBack ? row.by_decision.fallback : row.count;
      total.transcode_s = Math.round((total.transcode_s + (fellBack ? seconds(fallbackMs.get(row) ?? 0) : row.transcode_s)) * 10) / 10;
      totals.set(reason.code, total);
    }
  }
  return [...totals.values()].sort((a, b) => Number(b.blocking) - Number(a.blocking) || b.transcode_s - a.transcode_s || a.code.localeCompare(b.code));
}

/** `video-transcode hevc→libx264 +burn-in +tone-mapping`, `detection hevc`, `audio-only`. */
function labelOf(kind: string, vin: string | null, vout: string | null, burnIn: boolean, toneMapping: boolean): string {
  const codecs = vout === null ? (vin === null ? '' : ` ${vin}`) : ` ${vin ?? '?'}→${vout}`;
  return `${kind}${codecs}${burnIn ? ' +burn-in' : ''}${toneMapping ? ' +tone-mapping' : ''}`;
}
