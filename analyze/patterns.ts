/** `plexbeam analyze --patterns`: each argument pattern with counts, first and last seen, an example. */
import type Database from 'better-sqlite3';
import type { ProgressBar } from './progress-bar.ts';
import { INDEX, isoTime, shareOf, sinceParam } from './session-sql.ts';
import type { PatternRow, PatternsReport } from './types.ts';

type GroupRow = [string | null, number, number, number, number, number, number];

/** Lists the patterns of the sessions since `since`, most frequent first. */
export function listPatterns(db: Database.Database, options: { dbPath: string; since: number | null; progress?: ProgressBar }): PatternsReport {
  const at = sinceParam(options.since);
  const count = db.prepare<[number], number>('SELECT COUNT(*) FROM sessions INDEXED BY sessions_started_at WHERE started_at >= ?').pluck();
  const groups = db
    .prepare<[number], GroupRow>(
      // COUNT(CASE …), not SUM(decision = …): a group of undecided sessions sums to NULL.
      `SELECT pattern_id, COUNT(*), MIN(started_at), MAX(started_at), COUNT(CASE WHEN decision = 'remote' THEN 1 END),
       COUNT(CASE WHEN decision = 'local' THEN 1 END), COUNT(CASE WHEN decision = 'fallback' THEN 1 END)
       FROM sessions INDEXED BY ${INDEX.patterns} WHERE started_at >= ? GROUP BY pattern_id`,
    )
    .raw();
  // The latest session of a pattern: one index seek on (pattern_id, started_at), one row read.
  const example = db.prepare<[string | null, number], { id: string; pattern: string | null; kind: string }>(
    `SELECT id, pattern, kind FROM sessions INDEXED BY ${INDEX.patterns} WHERE pattern_id IS ? AND started_at = ? LIMIT 1`,
  );

  const expected = count.get(at) ?? 0;
  const patterns: PatternRow[] = [];
  let done = 0;
  for (const [patternId, n, first, last, remote, local, fallback] of groups.iterate(at)) {
    const latest = example.get(patternId, last);
    patterns.push({
      pattern_id: patternId,
      pattern: latest?.pattern ?? null,
      kind: latest?.kind ?? null,
      count: n,
      share: 0,
      first_seen: isoTime(first) as string,
      last_seen: isoTime(last) as string,
      example_session: latest?.id ?? '',
      by_decision: { remote, local, fallback },
    });
    done += n;
    options.progress?.update(done, expected);
  }
  for (const row of patterns) row.share = shareOf(row.count, done);
  patterns.sort((a, b) => b.count - a.count || String(a.pattern_id).localeCompare(String(b.pattern_id)));
  return { db: options.dbPath, since: isoTime(options.since), total: done, patterns };
}
