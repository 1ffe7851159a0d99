/** `plexbeam analyze`: one streaming GROUP BY over the summary index, rolled up into every facet. */
import type Database from 'better-sqlite3';
import { TallyMap, type RowNumbers } from './facets.ts';
import { latencyPercentiles, prepareLatencyQueries } from './latency.ts';
import type { ProgressBar } from './progress-bar.ts';
import { INDEX, OUTCOME_AGGREGATES, createTally, addToTally, durationsOf, isoTime, outcomesOf, shareOf, sinceParam } from './session-sql.ts';
import type { CodecPair, Summary } from './types.ts';
import { FALLBACK_REASON_TEXT, isFallbackReason } from '../core/session-log/endings.ts';
import { summarizeResumes } from './resumes.ts';

/** What a fallback code means; for a row from before codes, its recorded words. */
export function fallbackText(code: string | null, words: string | null): string {
  if (isFallbackReason(code)) return FALLBACK_REASON_TEXT[code];
  return code ?? words ?? 'no reason recorded';
}

/** Where and what to summarise. */
export interface SummaryOptions {
  dbPath: string;
  since: number | null;
  progress?: ProgressBar;
}

// The group keys are the index's leading columns in its order: SQLite streams groups as it walks.
const KEYS = 'decision, kind, worker, client, protocol, height, video_codec_in, video_codec_out, audio_codec_in, audio_codec_out, subtitle_burn_in, tone_mapping';
type GroupRow = [string | null, string, string | null, string | null, string | null, number | null, string | null, string | null, string | null, string | null, number | null, number | null, number, number, number, number, number, number, number | null];

/** Computes the summary of the sessions since `since` (all when null). */
export function computeSummary(db: Database.Database, options: SummaryOptions): Summary {
  const at = sinceParam(options.since);
  const count = db.prepare<[number], number>(`SELECT COUNT(*) FROM sessions INDEXED BY sessions_started_at WHERE started_at >= ?`).pluck();
  const first = db.prepare<[number], number | null>('SELECT MIN(started_at) FROM sessions WHERE started_at >= ?').pluck();
  const last = db.prepare<[number], number | null>('SELECT MAX(started_at) FROM sessions WHERE started_at >= ?').pluck();
  const groups = db
    .prepare<[number], GroupRow>(`SELECT ${KEYS}, COUNT(*), ${OUTCOME_AGGREGATES} FROM sessions INDEXED BY ${INDEX.summary} WHERE started_at >= ? GROUP BY ${KEYS}`)
    .raw();
  // Grouped by code; rows from before codes (schema version < 3) by their words.
  const reasons = db
    .prepare<[number], [string | null, string | null, number]>(
      `SELECT fallback_reason, CASE WHEN fallback_reason IS NULL THEN reason END AS words, COUNT(*) FROM sessions INDEXED BY ${INDEX.fallbacks}
       WHERE decision = 'fallback' AND started_at >= ? GROUP BY fallback_reason, words ORDER BY COUNT(*) DESC, fallback_reason, words`,
    )
    .raw();
  const latency = prepareLatencyQueries(db);

  const expected = count.get(at) ?? 0;
  const all = createTally();
  const tallies = {
    decision: new TallyMap<string | null>(),
    kind: new TallyMap(),
    client: new TallyMap(),
    protocol: new TallyMap(),
    height: new TallyMap<number | null>(),
    worker: new TallyMap(),
    video: new TallyMap(),
    audio: new TallyMap(),
  };
  const features = { subtitle_burn_in: 0, tone_mapping: 0 };
  let done = 0;
  for (const row of groups.iterate(at)) {
    const [decision, kind, worker, client, protocol, height, vin, vout, ain, aout, burnIn, toneMapping] = row;
    const numbers: RowNumbers = { count: row[12], ended: row[13], stopped: row[14], ok: row[15], lost: row[16], durationMs: row[17], maxDurationMs: row[18] };
    addToTally(all, decision, numbers);
    tallies.decision.add(decision, decision, numbers);
    tallies.kind.add(kind, decision, numbers);
    if (client !== null) tallies.client.add(client, decision, numbers);
    if (protocol !== null) tallies.protocol.add(protocol, decision, numbers);
    if (height !== null) tallies.height.add(height, decision, numbers);
    if (worker !== null) tallies.worker.add(worker, decision, numbers);
    if (vin !== null || vout !== null) tallies.video.add(JSON.stringify([vin, vout]), decision, numbers);
    if (ain !== null || aout !== null) tallies.audio.add(JSON.stringify([ain, aout]), decision, numbers);
    if (burnIn === 1) features.subtitle_burn_in += numbers.count;
    if (toneMapping === 1) features.tone_mapping += numbers.count;
    done += numbers.count;
    options.progress?.update(done, expected);
  }
  options.progress?.update(done, expected, 'first-segment latency');

  const total = all.count;
  const fallbackCount = all.byDecision.fallback;
  const percentiles = latencyPercentiles(latency, options.since);
  const byDecision = new Map(tallies.decision.entries());
  const decisions = {} as Summary['decisions'];
  for (const decision of ['remote', 'local', 'fallback'] as const) {
    const tally = byDecision.get(decision) ?? createTally();
    decisions[decision] = { count: tally.count, outcomes: outcomesOf(tally), durations: durationsOf(tally), first_segment: percentiles[decision] };
  }
  const pairs = (map: TallyMap): CodecPair[] =>
    map.entries().map(([key, tally]) => {
      const [from, to] = JSON.parse(String(key)) as [string | null, string | null];
      return { from, to, count: tally.count, share: shareOf(tally.count, total) };
    });

  return {
    db: options.dbPath,
    since: isoTime(options.since),
    total,
    by_decision: { ...all.byDecision },
    undecided: byDecision.get(null)?.count ?? 0,
    first_started_at: total === 0 ? null : isoTime(first.get(at)),
    last_started_at: total === 0 ? null : isoTime(last.get(at)),
    outcomes: outcomesOf(all),
    durations: durationsOf(all),
    decisions,
    by_kind: tallies.kind.facets(total),
    by_client: tallies.client.facets(total),
    by_protocol: tallies.protocol.facets(total),
    resolutions: tallies.height.facets(total, (height) => (height === null ? null : `${height}p`)),
    video_codecs: pairs(tallies.video),
    audio_codecs: pairs(tallies.audio),
    features,
    fallback_reasons: reasons.all(at).map(([code, words, n]) => ({ code, text: fallbackText(code, words), count: n, share: shareOf(n, fallbackCount) })),
    workers: tallies.worker.entries().map(([worker, tally]) => ({
      worker: String(worker),
      count: tally.count,
      by_decision: { ...tally.byDecision },
      outcomes: outcomesOf(tally),
      durations: durationsOf(tally),
    })),
    resumes: summarizeResumes(db, options.since),
  };
}
