/** `plexbeam analyze --remote-feasibility`: classes of sessions, whether each can move, why, and what to change. */
import type Database from 'better-sqlite3';
import type { WorkerCapability } from './capabilities.ts';
import { judgeClasses, type ClassKey, type ClassTally } from './classes.ts';
import { inputRoot, type InputCheck, type InputState } from './input-reach.ts';
import { recommend } from './recommendations.ts';
import { INDEX, isoTime, seconds, shareOf, sinceParam } from './sql.ts';
import type { FeasibilityReport } from './types.ts';

/** Everything feasibility needs besides the database. */
export interface FeasibilityOptions {
  dbPath: string;
  since: number | null;
  capabilities: WorkerCapability[];
  inputCheck: InputCheck;
  allowHttpInputs: boolean;
  healthTimeoutMs: number;
  /** Told how many sessions were read of how many (analyze's progress bar). */
  progress?: { update(done: number, total: number): void };
}

const KEYS = 'kind, video_codec_in, video_codec_out, subtitle_burn_in, tone_mapping';

/** Runs the two index passes (classes × input, fallback reasons) and applies the rules. */
export function computeFeasibility(db: Database.Database, options: FeasibilityOptions): FeasibilityReport {
  const at = sinceParam(options.since);
  const count = db.prepare<[number], number>('SELECT COUNT(*) FROM sessions INDEXED BY sessions_started_at WHERE started_at >= ?').pluck();
  const groups = db.prepare<[number], [...ClassKey, string | null, string | null, number, number]>(
    `SELECT ${KEYS}, decision, input_path, COUNT(*), TOTAL(ended_at - started_at) FROM sessions INDEXED BY ${INDEX.feasibility} WHERE started_at >= ? GROUP BY ${KEYS}, decision, input_path`,
  ).raw();
  // By fallback code (core/session-log/endings.ts); rows from before codes have none (null).
  const fallbacks = db.prepare<[number], [string | null, ...ClassKey, string | null, number, number]>(
    `SELECT fallback_reason, ${KEYS}, input_path, COUNT(*), TOTAL(ended_at - started_at) FROM sessions INDEXED BY ${INDEX.fallbacks} WHERE decision = 'fallback' AND started_at >= ? GROUP BY fallback_reason, ${KEYS}, input_path`,
  ).raw();
  const example = db.prepare<[string | null, number], string>(`SELECT id FROM sessions INDEXED BY ${INDEX.fallbacks} WHERE decision = 'fallback' AND fallback_reason IS ? AND started_at >= ? LIMIT 1`).pluck();

  const expected = count.get(at) ?? 0;
  const classes = new Map<string, ClassTally>();
  const unmapped = new Map<string, { root: string; count: number; durationMs: number }>();
  const classOf = (key: ClassKey, input: InputState): ClassTally => {
    const id = JSON.stringify([...key, input]);
    let tally = classes.get(id);
    if (tally === undefined) classes.set(id, (tally = { key, input, count: 0, ms: 0, remoteMs: 0, byDecision: { remote: 0, local: 0, fallback: 0 }, fallbackReasons: new Map() }));
    return tally;
  };
  let done = 0;
  for (const [kind, vin, vout, burn, tone, decision, input, n, ms] of groups.iterate(at)) {
    const state = options.inputCheck.classify(input);
    const tally = classOf([kind, vin, vout, burn, tone], state);
    tally.count += n;
    tally.ms += ms;
    if (decision === 'remote' || decision === 'local' || decision === 'fallback') tally.byDecision[decision] += n;
    if (decision === 'remote') tally.remoteMs += ms;
    if (state === 'unmapped' && input !== null && (kind === 'video-transcode' || kind === 'optimize')) {
      const root = inputRoot(input);
      const folder = unmapped.get(root) ?? { root, count: 0, durationMs: 0 };
      folder.count += n;
      folder.durationMs += ms;
      unmapped.set(root, folder);
    }
    done += n;
    options.progress?.update(done, expected);
  }
  for (const [reason, kind, vin, vout, burn, tone, input, n, ms] of fallbacks.iterate(at)) {
    const reasons = classOf([kind, vin, vout, burn, tone], options.inputCheck.classify(input)).fallbackReasons;
    const entry = reasons.get(reason) ?? { count: 0, ms: 0 };
    entry.count += n;
    entry.ms += ms;
    reasons.set(reason, entry);
  }

  const judged = judgeClasses([...classes.values()], { workers: options.capabilities, allowHttpInputs: options.allowHttpInputs });
  const { rows, totalMs, remoteMs, movableMs } = judged;
  const total = rows.reduce((sum, r) => sum + r.count, 0);
  const feasibleSessions = rows.filter((r) => r.feasible).reduce((sum, r) => sum + r.count, 0);
  return {
    db: options.dbPath,
    since: isoTime(options.since),
    workers: options.capabilities,
    input_check: { mode: options.inputCheck.mode, against: options.inputCheck.describe },
    total,
    transcode_s: seconds(totalMs),
    remote_s: seconds(remoteMs),
    movable_s: seconds(movableMs),
    remote_share: shareOf(remoteMs, totalMs),
    movable_share: shareOf(movableMs, totalMs),
    feasible_sessions: feasibleSessions,
    blocked_sessions: total - feasibleSessions,
    classes: rows,
    reasons: judged.reasons,
    recommendations: recommend({
      classes: rows,
      fallbacks: judged.feasibleFallbacks,
      unmapped: [...unmapped.values()],
      capabilities: options.capabilities,
      inputCheck: options.inputCheck,
      healthTimeoutMs: options.healthTimeoutMs,
      totalMs,
      exampleOf: (reason) => example.get(reason, at) ?? null,
    }),
  };
}
